using System.Collections.Immutable;
using Mothership.Ci.Plugins.Approve;
using Mothership.Ci.Plugins.Label;
using Mothership.Ci.Plugins.Lgtm;
using Mothership.Ci.Plugins.ReleaseNote;
using Mothership.Ci.Plugins.Size;
using Mothership.Ci.Triggers;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;

namespace Mothership.Ci.Plugins;

/// <summary>
/// Prow's <c>plugins.yaml</c>: which plugins each organisation or repository enables
/// (<c>plugins</c>), and the plugins' own sections (<c>triggers</c>…). A Prow user's file is read
/// unchanged: sections of plugins Mothership does not have are accepted and not read, and
/// enabling such a plugin is a warning, not an error.
/// </summary>
public sealed record PluginsConfig
{
    /// <summary>The plugins Mothership implements, by Prow's names; <c>trigger</c> is always on.</summary>
    public static readonly ImmutableArray<string> Known = ["trigger", "lgtm", "approve", "hold", "label", "size", "release-note", "assign", "help", "deploy", "approve-rollout"];

    /// <summary>No file: no review plugin, Prow's default trigger policy.</summary>
    public static PluginsConfig None { get; } = new();

    /// <summary>The <c>triggers</c> section.</summary>
    public TriggerPolicies Triggers { get; init; } = TriggerPolicies.None;

    /// <summary>The <c>approve</c> section, in written order.</summary>
    public ImmutableArray<ApproveOptions> Approve { get; init; } = [];

    /// <summary>The <c>plugins</c> section: by <c>org</c> or <c>org/repo</c>.</summary>
    public ImmutableDictionary<string, PluginSet> Plugins { get; init; } = ImmutableDictionary<string, PluginSet>.Empty.WithComparers(StringComparer.OrdinalIgnoreCase);

    /// <summary>The <c>lgtm</c> section: options by organisation or repository.</summary>
    public ImmutableArray<LgtmOptions> Lgtm { get; init; } = [];

    /// <summary>The <c>label</c> section.</summary>
    public LabelOptions Label { get; init; } = LabelOptions.Default;

    /// <summary>The <c>size</c> section.</summary>
    public SizeThresholds Size { get; init; } = SizeThresholds.Default;

    /// <summary>The <c>release_note</c> section.</summary>
    public ReleaseNoteOptions ReleaseNote { get; init; } = ReleaseNoteOptions.Default;

    /// <summary>
    /// The <c>lgtm</c> options of <paramref name="orgRepo"/>: the first entry naming the
    /// repository or its organisation (Prow's <c>LgtmFor</c>), else the defaults.
    /// </summary>
    public LgtmOptions LgtmFor(string orgRepo) => FirstFor(Lgtm, l => l.Repos, orgRepo) ?? LgtmOptions.Default;

    /// <summary>
    /// The plugins enabled for <paramref name="orgRepo"/>: its organisation's (unless the entry
    /// excludes the repository) and its own (Prow's <c>Plugins.getPlugins</c>).
    /// </summary>
    public ImmutableSortedSet<string> EnabledFor(string orgRepo)
    {
        ArgumentNullException.ThrowIfNull(orgRepo);
        var enabled = ImmutableSortedSet.CreateBuilder<string>(StringComparer.Ordinal);
        var slash = orgRepo.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && Plugins.TryGetValue(orgRepo[..slash], out var org) && !org.ExcludedRepos.Contains(orgRepo[(slash + 1)..], StringComparer.OrdinalIgnoreCase))
        {
            enabled.UnionWith(org.Plugins);
        }

        if (Plugins.TryGetValue(orgRepo, out var own))
        {
            enabled.UnionWith(own.Plugins);
        }

        return enabled.ToImmutable();
    }

    /// <summary>
    /// The approve settings of <paramref name="orgRepo"/>: the first entry naming the repository,
    /// else the first naming its organisation, else the defaults (Prow's <c>ApproveFor</c>).
    /// </summary>
    public ApproveOptions ApproveFor(string orgRepo) => FirstFor(Approve, a => a.Repos, orgRepo) ?? ApproveOptions.Default;

    /// <summary>
    /// Prow's rule for a plugin's per-repository entries: the first naming <paramref name="orgRepo"/>,
    /// else the first naming its organisation; null when none does.
    /// </summary>
    private static T? FirstFor<T>(ImmutableArray<T> entries, Func<T, ImmutableArray<string>> repos, string orgRepo)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(orgRepo);
        var slash = orgRepo.IndexOf('/', StringComparison.Ordinal);
        var org = slash > 0 ? orgRepo[..slash] : orgRepo;
        return entries.FirstOrDefault(e => repos(e).Contains(orgRepo, StringComparer.OrdinalIgnoreCase))
            ?? entries.FirstOrDefault(e => repos(e).Contains(org, StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>The top-level keys that make a file a <c>plugins.yaml</c>: the plugin map, triggers, and the sections of the plugins Mothership has.</summary>
    private static readonly string[] MarkerKeys = ["plugins", "external_plugins", "triggers", "approve", "lgtm", "label", "size", "owners", "help"];

    /// <summary>
    /// Whether <paramref name="text"/> is a <c>plugins.yaml</c> (what <c>mship validate</c> reads
    /// as one): a single mapping with none of a Kubernetes object's or Prow job config's keys and
    /// at least one of a plugin config's.
    /// </summary>
    public static bool IsPluginsConfig(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var documents = ResourceLoader.ParseYaml("", text, new DiagnosticBag());
        var roots = documents?.Where(d => d is not TreeScalar s || !string.IsNullOrWhiteSpace(s.Value)).ToList();
        if (roots is not [TreeMapping root])
        {
            return false;
        }

        var keys = Enumerable.Range(0, root.Count).Select(root.KeyText).OfType<string>().ToList();
        return !keys.Contains("apiVersion") && !keys.Contains("kind") && !Jobs.ProwConfig.IsProwConfig(text) && keys.Any(MarkerKeys.Contains);
    }

    /// <summary>Reads a <c>plugins.yaml</c>'s text; problems go to <paramref name="diagnostics"/> at <c>FILE:LINE:COL</c>.</summary>
    public static PluginsConfig Parse(string file, string text, DiagnosticBag diagnostics)
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
        CheckOwners(root);
        return new PluginsConfig
        {
            Triggers = TriggerPolicies.Read(root),
            Plugins = ReadPlugins(root),
            Lgtm = LgtmOptions.Read(root),
            Label = LabelOptions.Read(root),
            Size = SizeThresholds.Read(root),
            ReleaseNote = ReleaseNoteOptions.Read(root),
            Approve = root.List("approve", ReadApprove),
        };
    }

    private static ApproveOptions ReadApprove(MapReader r)
    {
        var repos = r.Strings("repos");
        if (repos.IsEmpty)
        {
            r.Diagnostics.Error(r.Location, "an approve entry needs repos: the organisations or org/repo it applies to");
        }

        var options = new ApproveOptions
        {
            Repos = repos,
            IssueRequired = r.Bool("issue_required"),
            RequireSelfApproval = r.Bool("require_self_approval"),
            LgtmActsAsApprove = r.Bool("lgtm_acts_as_approve"),
            IgnoreReviewState = r.Bool("ignore_review_state"),
            CommandHelpLink = r.String("commandHelpLink") is { Length: > 0 } help ? help : ApproveOptions.DefaultCommandHelpLink,
            PrProcessLink = r.String("pr_process_link") is { Length: > 0 } process ? process : ApproveOptions.DefaultPrProcessLink,
        };
        r.CheckUnknown();
        return options;
    }

    /// <summary>
    /// <c>owners</c>: Prow's keys are accepted; Mothership reads OWNERS and OWNERS_ALIASES by
    /// their default names and does not filter approvers by collaborators, so none changes what it does.
    /// </summary>
    private static void CheckOwners(MapReader root)
    {
        if (root.Map("owners") is { } owners)
        {
            owners.Ignore("mdyamlrepos", "skip_collaborators", "labels_denylist", "filenames");
            owners.CheckUnknown();
        }
    }

    /// <summary>
    /// <c>plugins</c>: each key an organisation or <c>org/repo</c>, its value Prow's
    /// <c>{plugins: [...], excluded_repos: [...]}</c> or the older plain list of names.
    /// </summary>
    private static ImmutableDictionary<string, PluginSet> ReadPlugins(MapReader root)
    {
        var byRepo = ImmutableDictionary<string, PluginSet>.Empty.WithComparers(StringComparer.OrdinalIgnoreCase);
        if (root.Map("plugins") is not { } plugins)
        {
            return byRepo;
        }

        foreach (var key in plugins.Keys.ToList())
        {
            PluginSet set;
            if (plugins.Peek(key) is not null)
            {
                set = new PluginSet(plugins.Strings(key), []);
            }
            else if (plugins.Map(key) is { } entry)
            {
                set = new PluginSet(entry.Strings("plugins"), entry.Strings("excluded_repos"));
                entry.CheckUnknown();
            }
            else
            {
                continue;
            }

            foreach (var name in set.Plugins.Where(n => !Known.Contains(n)))
            {
                plugins.Diagnostics.Warning(plugins.At(key), $"plugins.{key}: Mothership has no plugin '{name}'; it is ignored (known: {string.Join(", ", Known)})");
            }

            byRepo = byRepo.SetItem(key, set);
        }

        return byRepo;
    }
}
