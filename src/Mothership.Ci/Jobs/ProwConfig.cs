using System.Collections.Immutable;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;

namespace Mothership.Ci.Jobs;

/// <summary>
/// The jobs of a Prow <c>config.yaml</c>: presubmits and postsubmits by <c>org/repo</c>, and
/// periodics, with Prow's defaults filled in, and the merge pool's <c>tide</c> section. Prow's other settings (plank, deck, …) are
/// accepted and not read here. Load with <see cref="Load"/>, <see cref="LoadFiles"/> or <see cref="Parse"/>.
/// </summary>
public sealed record ProwConfig
{
    /// <summary>The top-level keys that hold jobs.</summary>
    public static readonly ImmutableArray<string> JobKeys = ["presubmits", "postsubmits", "periodics"];

    /// <summary>The other top-level keys of Prow's <c>config.yaml</c> (its <c>ProwConfig</c> and <c>JobConfig</c>), accepted and not interpreted.</summary>
    public static readonly ImmutableArray<string> OtherKeys =
    [
        "decorate_all_jobs", "prow_ignored", "config_version_sha", "tide", "plank", "pipeline", "sinker",
        "deck", "branch-protection", "gerrit", "github_reporter", "horologium", "slack_reporter_configs",
        "jenkins_operators", "log_level", "managed_webhooks", "moonraker", "owners_dir_denylist", "pubsub_subscriptions",
        "pubsub_triggers", "push_gateway", "scheduler", "status_error_link", "default_job_timeout", "disabled_clusters",
        "gangway", "github", "prowjob_default_entries", "prowjob_namespace", "pod_namespace",
    ];

    /// <summary>Presubmits by <c>org/repo</c>, each list in file order.</summary>
    public ImmutableSortedDictionary<string, ImmutableArray<Presubmit>> Presubmits { get; init; } =
        ImmutableSortedDictionary<string, ImmutableArray<Presubmit>>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>Postsubmits by <c>org/repo</c>, each list in file order.</summary>
    public ImmutableSortedDictionary<string, ImmutableArray<Postsubmit>> Postsubmits { get; init; } =
        ImmutableSortedDictionary<string, ImmutableArray<Postsubmit>>.Empty.WithComparers(StringComparer.Ordinal);

    public ImmutableArray<Periodic> Periodics { get; init; } = [];

    /// <summary>The key of Prow's presets.</summary>
    public const string PresetsKey = "presets";

    /// <summary>The key of Prow's in-repo config settings.</summary>
    public const string InRepoConfigKey = "in_repo_config";

    /// <summary>
    /// Prow's presets, in file order. They are already merged into the pods of the jobs above (as
    /// Prow's config loading does); they are kept for the jobs of repositories' <c>.prow.yaml</c>.
    /// </summary>
    public ImmutableArray<Preset> Presets { get; init; } = [];

    /// <summary>Prow's <c>in_repo_config</c>: which repositories' <c>.prow.yaml</c> holds jobs too; default none.</summary>
    public InRepoConfig InRepoConfig { get; init; } = new();

    /// <summary>Prow's <c>decorate_all_jobs</c>, kept for the jobs of repositories' <c>.prow.yaml</c>; default false.</summary>
    public bool DecorateAllJobs { get; init; }

    /// <summary>
    /// The top-level key that turns Pipelines-as-Code on: a list of organisations and
    /// <c>org/repo</c>s whose <c>.tekton/</c> PipelineRuns the bot runs. It is Mothership's, not
    /// Prow's; it sits in this file (rather than in a server setting) because enabling a
    /// repository's in-repo pipelines belongs with that repository's jobs, reloads with them
    /// without a restart, and is keyed by org or org/repo as Prow's <c>in_repo_config</c> is.
    /// </summary>
    public const string PipelinesAsCodeKey = "pipelines_as_code";

    /// <summary>The organisations and <c>org/repo</c>s with Pipelines-as-Code (<see cref="PipelinesAsCodeKey"/>); default none.</summary>
    public ImmutableArray<string> PipelinesAsCode { get; init; } = [];

    /// <summary>Whether <paramref name="orgRepo"/> (<c>org/repo</c>) runs its <c>.tekton/</c> PipelineRuns: it or its organisation is listed.</summary>
    public bool PipelinesAsCodeFor(string orgRepo)
    {
        ArgumentNullException.ThrowIfNull(orgRepo);
        var slash = orgRepo.IndexOf('/', StringComparison.Ordinal);
        var org = slash > 0 ? orgRepo[..slash] : orgRepo;
        return PipelinesAsCode.Any(e => string.Equals(e, orgRepo, StringComparison.OrdinalIgnoreCase) || string.Equals(e, org, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The merge pool's settings (the <c>tide:</c> section); default no queries, no pool.</summary>
    public Tide.TideConfig Tide { get; init; } = Mothership.Ci.Tide.TideConfig.Empty;

    /// <summary>The presubmits of <paramref name="orgRepo"/> (<c>org/repo</c>); none when it has none.</summary>
    public ImmutableArray<Presubmit> PresubmitsFor(string orgRepo) =>
        Presubmits.TryGetValue(orgRepo, out var jobs) ? jobs : [];

    /// <summary>The postsubmits of <paramref name="orgRepo"/> (<c>org/repo</c>); none when it has none.</summary>
    public ImmutableArray<Postsubmit> PostsubmitsFor(string orgRepo) =>
        Postsubmits.TryGetValue(orgRepo, out var jobs) ? jobs : [];

    /// <summary>
    /// Reads the config at <paramref name="path"/>. Every problem goes to
    /// <paramref name="diagnostics"/> as <c>FILE:LINE:COL</c>; null when there is any error.
    /// </summary>
    public static ProwConfig? Load(string path, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(diagnostics);
        return ResourceLoader.ReadFile(path, diagnostics) is { } text ? Parse(path, text, diagnostics) : null;
    }

    /// <summary>
    /// Reads several files as one config, as Prow merges its <c>config.yaml</c> with the files of
    /// <c>--job-config-path</c>: each repository's jobs from every file, a name or context twice
    /// across files reported as within one. Null when there is any error.
    /// </summary>
    public static ProwConfig? LoadFiles(IEnumerable<string> paths, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(diagnostics);
        var own = new DiagnosticBag();
        var configs = new List<ProwConfig>();
        foreach (var path in paths)
        {
            if (ResourceLoader.ReadFile(path, own) is { } text)
            {
                configs.Add(ProwConfigReader.Read(path, text, own));
            }
        }

        var config = ProwConfigReader.Complete(ProwConfigReader.Merge(configs), own);
        diagnostics.AddRange(own.Items);
        return own.HasErrors ? null : config;
    }

    /// <summary>Reads a config's <paramref name="text"/>, naming <paramref name="file"/> in diagnostics; null when there is any error.</summary>
    public static ProwConfig? Parse(string file, string text, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(diagnostics);
        var own = new DiagnosticBag();
        var config = ProwConfigReader.Complete(ProwConfigReader.Read(file, text, own), own);
        diagnostics.AddRange(own.Items);
        return own.HasErrors ? null : config;
    }

    /// <summary>How many jobs it holds, of every kind.</summary>
    public int JobCount => Presubmits.Values.Sum(j => j.Length) + Postsubmits.Values.Sum(j => j.Length) + Periodics.Length;

    /// <summary>
    /// Whether <paramref name="text"/> looks like a Prow config rather than Kubernetes objects: one
    /// YAML document, a mapping without <c>apiVersion</c> or <c>kind</c>, with at least one of Prow's
    /// top-level keys. Malformed YAML is not one (the Tekton loader reports it).
    /// </summary>
    public static bool IsProwConfig(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var documents = ResourceLoader.ParseYaml("", text, new DiagnosticBag());
        if (documents is null)
        {
            return false;
        }

        var roots = documents.Where(d => d is not TreeScalar s || !string.IsNullOrWhiteSpace(s.Value)).ToList();
        if (roots is not [TreeMapping root])
        {
            return false;
        }

        var keys = Enumerable.Range(0, root.Count).Select(root.KeyText).ToList();
        return !keys.Contains("apiVersion") && !keys.Contains("kind") && keys.Any(k => k is not null && (JobKeys.Contains(k) || OtherKeys.Contains(k) || k is PipelinesAsCodeKey or PresetsKey or InRepoConfigKey));
    }
}
