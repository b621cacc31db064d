using System.Collections.Immutable;
using Mothership.Model.Diagnostics;

namespace Mothership.Cloud.Rollouts;

/// <summary>
/// The waves a rollout of one environment goes through, canary first: built from the policy and
/// the sites, deterministically (sites by name, regions in the policy's order then by name), so
/// the same inputs always give the same plan.
/// </summary>
public sealed record RolloutPlan
{
    public required RolloutPolicy Policy { get; init; }

    public required ImmutableArray<RolloutWave> Waves { get; init; }

    /// <summary>Every site of the plan, wave by wave.</summary>
    public IEnumerable<string> Sites => Waves.SelectMany(w => w.Sites);

    /// <summary>How many sites the plan deploys.</summary>
    public int SiteCount => Waves.Sum(w => w.Sites.Length);

    /// <summary>
    /// The plan for <paramref name="policy"/> over the <paramref name="sites"/> of its environment
    /// (others are left out); null, with errors at the policy's lines, when a canary or gate names
    /// what does not exist. An explicit wave that matches no site is a warning; sites no explicit
    /// wave matches form a last wave (with a warning naming them) rather than being left out.
    /// </summary>
    public static RolloutPlan? Build(RolloutPolicy policy, IEnumerable<RolloutSite> sites, DiagnosticBag diagnostics)
    {
        var errors = diagnostics.Items.Count(d => d.Severity == Severity.Error);
        var mine = sites.Where(s => s.Environment == policy.Environment).DistinctBy(s => s.Name).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
        var groups = new List<(string Name, string? Region, List<string> Sites)>();
        var taken = new HashSet<string>(StringComparer.Ordinal);

        if (policy.Canary is { } canary)
        {
            var chosen = new List<string>();
            if (canary.PerRegion is { } n)
            {
                chosen.AddRange(mine.GroupBy(s => s.Region, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).SelectMany(g => g.Take(n)).Select(s => s.Name));
            }

            for (var i = 0; i < canary.Sites.Length; i++)
            {
                var matched = mine.Where(s => SiteGlob.Matches(canary.Sites[i], s.Name)).Select(s => s.Name).ToList();
                if (matched.Count == 0)
                {
                    diagnostics.Error(canary.At($"sites[{i}]"), $"canary '{canary.Sites[i]}' names no {policy.Environment} site: {Known(mine)}");
                }

                chosen.AddRange(matched);
            }

            var wave = chosen.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            taken.UnionWith(wave);
            groups.Add((RolloutWave.CanaryName, null, wave));
        }

        var rest = mine.Where(s => !taken.Contains(s.Name)).ToList();
        var waves = policy.Waves;
        if (waves.ByRegion)
        {
            var order = waves.RegionOrder.Select((r, i) => (r, i)).ToDictionary(p => p.r, p => p.i, StringComparer.Ordinal);
            foreach (var region in rest.GroupBy(s => s.Region, StringComparer.Ordinal).OrderBy(g => order.GetValueOrDefault(g.Key, int.MaxValue)).ThenBy(g => g.Key, StringComparer.Ordinal))
            {
                groups.Add((RolloutWave.Numbered(groups.Count(g => g.Name != RolloutWave.CanaryName) + 1), region.Key, [.. region.Select(s => s.Name)]));
            }
        }
        else if (!waves.Lists.IsEmpty)
        {
            foreach (var list in waves.Lists)
            {
                var wave = rest.Where(s => !taken.Contains(s.Name) && list.Sites.Any(p => SiteGlob.Matches(p, s.Name))).Select(s => s.Name).ToList();
                if (wave.Count == 0)
                {
                    diagnostics.Warning(list.Location, $"wave [{string.Join(", ", list.Sites)}] matches no {policy.Environment} site not in an earlier wave; it is left out");
                    continue;
                }

                taken.UnionWith(wave);
                groups.Add((RolloutWave.Numbered(groups.Count(g => g.Name != RolloutWave.CanaryName) + 1), null, wave));
            }

            var left = rest.Where(s => !taken.Contains(s.Name)).Select(s => s.Name).ToList();
            if (left.Count > 0)
            {
                diagnostics.Warning(waves.Location, $"no wave names {string.Join(", ", left)}: they go in a last wave");
                groups.Add((RolloutWave.Numbered(groups.Count(g => g.Name != RolloutWave.CanaryName) + 1), null, left));
            }
        }
        else if (rest.Count > 0)
        {
            groups.Add((RolloutWave.Numbered(1), null, [.. rest.Select(s => s.Name)]));
        }

        // A canary that matched nothing (no sites in the environment) is no wave at all.
        groups.RemoveAll(g => g.Sites.Count == 0);
        var names = groups.Select(g => g.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var gate in policy.Gates)
        {
            if (gate.Before != RolloutGate.Each && !names.Contains(gate.Before))
            {
                diagnostics.Error(gate.At("before"), $"gate before '{gate.Before}': the {policy.Environment} rollout has no such wave (its waves: {(names.Count == 0 ? "none" : string.Join(", ", groups.Select(g => g.Name)))})");
            }
        }

        if (diagnostics.Items.Count(d => d.Severity == Severity.Error) > errors)
        {
            return null;
        }

        var built = groups.Select((g, i) => new RolloutWave
        {
            Index = i,
            Name = g.Name,
            Region = g.Region,
            Sites = [.. g.Sites],
            // A gate for this wave by name wins over an `each` gate; `each` spares the first wave, whose start is the rollout's.
            Gate = policy.Gates.FirstOrDefault(x => x.Before == g.Name) ?? (i > 0 ? policy.Gates.FirstOrDefault(x => x.Before == RolloutGate.Each) : null),
        });
        return new RolloutPlan { Policy = policy, Waves = [.. built] };
    }

    /// <summary>The wave <paramref name="name"/> (<c>canary</c>, <c>wave-N</c>); null when the plan has none.</summary>
    public RolloutWave? Wave(string name) => Waves.FirstOrDefault(w => w.Name == name);

    /// <summary>The wave whose gate is <paramref name="gateId"/>; null when none has it.</summary>
    public RolloutWave? GateWave(string gateId) => Waves.FirstOrDefault(w => w.Gate is not null && w.GateId == gateId);

    private static string Known(List<RolloutSite> sites) =>
        sites.Count == 0 ? "it has none" : sites.Count <= 10 ? "its sites are " + string.Join(", ", sites.Select(s => s.Name)) : $"it has {sites.Count} sites";
}
