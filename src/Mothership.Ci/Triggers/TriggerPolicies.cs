using System.Collections.Immutable;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;

namespace Mothership.Ci.Triggers;

/// <summary>
/// The <c>triggers</c> section of Prow's <c>plugins.yaml</c>: a <see cref="TriggerPolicy"/> per
/// organisation or repository. The file's other sections (the plugins of the review issue) are
/// accepted and not read here; the fields of a <c>triggers</c> entry are checked as Prow's, plus
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

    /// <summary>Reads a <c>plugins.yaml</c>'s text; problems go to <paramref name="diagnostics"/> at <c>FILE:LINE:COL</c>.</summary>
    public static TriggerPolicies Parse(string file, string text, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        if (ResourceLoader.ParseYaml(file, text, diagnostics) is not { } documents)
        {
            return None;
        }

        var roots = documents.Where(d => d is not TreeScalar s || !string.IsNullOrWhiteSpace(s.Value)).ToList();
        if (roots.Count == 0)
        {
            return None;
        }

        if (roots is not [TreeMapping node])
        {
            diagnostics.Error(new SourceLocation(file, roots[0].Line, roots[0].Column), "a plugins.yaml is one YAML mapping");
            return None;
        }

        var root = new MapReader(node, file, "", diagnostics);
        var byRepo = ImmutableDictionary<string, TriggerPolicy>.Empty.WithComparers(StringComparer.OrdinalIgnoreCase);
        foreach (var (repos, policy) in root.List("triggers", Read).Select(e => (e.Item1, e.Item2)))
        {
            foreach (var repo in repos)
            {
                byRepo = byRepo.SetItem(repo, policy);
            }
        }

        return new TriggerPolicies { ByRepo = byRepo };
    }

    private static Tuple<ImmutableArray<string>, TriggerPolicy> Read(MapReader r)
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
