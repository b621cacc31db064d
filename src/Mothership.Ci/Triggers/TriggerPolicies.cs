using System.Collections.Immutable;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;

namespace Mothership.Ci.Triggers;

/// <summary>
/// The <c>triggers</c> section of Prow's <c>plugins.yaml</c>: a <see cref="TriggerPolicy"/> per
/// organisation or repository, read with the rest of the file by <see cref="Plugins.PluginsConfig"/>; the fields of a <c>triggers</c> entry are checked as Prow's, plus
/// <c>ok_to_test_persists</c>.
/// </summary>
public sealed record TriggerPolicies
{
    /// <summary>No entry: every repository gets <see cref="TriggerPolicy.Default"/>.</summary>
    public static TriggerPolicies None { get; } = new();

    /// <summary>Policies by <c>org</c> or <c>org/repo</c>.</summary>
    public ImmutableDictionary<string, TriggerPolicy> ByRepo { get; init; } = ImmutableDictionary<string, TriggerPolicy>.Empty.WithComparers(StringComparer.OrdinalIgnoreCase);

    /// <summary>The policy of <paramref name="orgRepo"/>: its own entry, else its organisation's, else the default (Prow's <c>TriggerFor</c>).</summary>
    public TriggerPolicy For(string orgRepo)
    {
        ArgumentNullException.ThrowIfNull(orgRepo);
        if (ByRepo.TryGetValue(orgRepo, out var own))
        {
            return own;
        }

        var slash = orgRepo.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && ByRepo.TryGetValue(orgRepo[..slash], out var org) ? org : TriggerPolicy.Default;
    }

    /// <summary>Reads a <c>plugins.yaml</c>'s text for its <c>triggers</c>; problems go to <paramref name="diagnostics"/> at <c>FILE:LINE:COL</c>.</summary>
    public static TriggerPolicies Parse(string file, string text, DiagnosticBag diagnostics) =>
        Plugins.PluginsConfig.Parse(file, text, diagnostics).Triggers;

    /// <summary>Reads the <c>triggers</c> section of a <c>plugins.yaml</c>'s root.</summary>
    internal static TriggerPolicies Read(MapReader root)
    {
        var byRepo = ImmutableDictionary<string, TriggerPolicy>.Empty.WithComparers(StringComparer.OrdinalIgnoreCase);
        foreach (var (repos, policy) in root.List("triggers", ReadEntry).Select(e => (e.Item1, e.Item2)))
        {
            foreach (var repo in repos)
            {
                byRepo = byRepo.SetItem(repo, policy);
            }
        }

        return byRepo.IsEmpty ? None : new TriggerPolicies { ByRepo = byRepo };
    }

    private static Tuple<ImmutableArray<string>, TriggerPolicy> ReadEntry(MapReader r)
    {
        var repos = r.Strings("repos");
        if (repos.IsEmpty)
        {
            r.Diagnostics.Error(r.Location, "a triggers entry needs repos: the organisations or org/repo it applies to");
        }

        var policy = new TriggerPolicy
        {
            TrustedApps = r.Strings("trusted_apps"),
            TrustedOrg = r.String("trusted_org"),
            JoinOrgUrl = r.String("join_org_url"),
            OnlyOrgMembers = r.Bool("only_org_members"),
            IgnoreOkToTest = r.Bool("ignore_ok_to_test"),
            OkToTestPersists = r.Bool("ok_to_test_persists"),
        };
        r.Ignore("elide_skipped_contexts", "trigger_github_workflows");
        r.CheckUnknown();
        return Tuple.Create(repos, policy);
    }
}
