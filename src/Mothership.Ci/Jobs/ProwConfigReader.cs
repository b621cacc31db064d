using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Cronos;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;
using Mothership.Model.Validation;

namespace Mothership.Ci.Jobs;

/// <summary>
/// Reads a Prow <c>config.yaml</c> with the Model's located reader, so that every problem — an
/// unknown field, a bad regex, a missing schedule — is reported at its <c>FILE:LINE:COL</c>, and
/// applies Prow's defaults and validation (<c>pkg/config/config.go</c>).
/// </summary>
internal static partial class ProwConfigReader
{
    /// <summary>Prow's <c>JobBase</c> and <c>UtilityConfig</c> fields that are accepted and kept as written.</summary>
    private static readonly string[] KeptJobFields =
    [
        "error_on_eviction", "reporter_config", "rerun_auth_config", "hidden", "prowjob_defaults", "job_queue_name",
        "path_alias", "clone_uri", "skip_submodules", "clone_depth", "skip_fetch_head", "extra_refs",
        "decoration_config", "tekton_pipeline_run_spec",
    ];

    /// <summary>Container fields a Tekton step keeps for the Kubernetes executor, as the Tekton loader keeps them.</summary>
    private static readonly string[] KeptContainerFields =
    [
        "resources", "securityContext", "imagePullPolicy", "volumeDevices", "ports", "lifecycle",
        "terminationMessagePath", "terminationMessagePolicy", "stdin", "stdinOnce", "tty",
    ];

    /// <summary>Kubernetes container fields a step has no use for; accepted.</summary>
    private static readonly string[] IgnoredContainerFields = ["livenessProbe", "readinessProbe", "startupProbe", "resizePolicy", "restartPolicy"];

    /// <summary>Kubernetes pod fields besides those a pod template keeps; accepted, not used.</summary>
    private static readonly string[] IgnoredPodFields =
    [
        "restartPolicy", "terminationGracePeriodSeconds", "activeDeadlineSeconds", "nodeName", "serviceAccount",
        "hostPID", "hostIPC", "hostUsers", "shareProcessNamespace", "hostname", "subdomain", "setHostnameAsFQDN",
        "priority", "preemptionPolicy", "overhead", "os", "readinessGates", "resourceClaims", "schedulingGates",
        "resources", "ephemeralContainers",
    ];

    /// <summary>Labels Prow's decoration sets on every pod (<c>decorate.Labels()</c>); a job may not set them.</summary>
    private static readonly string[] ReservedLabels = ["prow.k8s.io/type", "created-by-prow", "prow.k8s.io/id"];

    [GeneratedRegex("^[A-Za-z0-9-._]+$")]
    private static partial Regex JobName();

    [GeneratedRegex("^[A-Za-z0-9-._]([A-Za-z0-9-._/]*[A-Za-z0-9-_])?$")]
    private static partial Regex JenkinsJobName();

    public static ProwConfig Read(string file, string text, DiagnosticBag bag)
    {
        if (ResourceLoader.ParseYaml(file, text, bag) is not { } documents)
        {
            return new ProwConfig();
        }

        var roots = documents.Where(d => d is not TreeScalar s || !string.IsNullOrWhiteSpace(s.Value)).ToList();
        if (roots.Count == 0)
        {
            return new ProwConfig();
        }

        if (roots.Count > 1)
        {
            bag.Error(Loc(file, roots[1]), "a Prow config is one YAML document: merge the documents or split them into files");
        }

        if (roots[0] is not TreeMapping node)
        {
            bag.Error(Loc(file, roots[0]), "a Prow config must be a mapping with presubmits, postsubmits or periodics");
            return new ProwConfig();
        }

        var root = new MapReader(node, file, "", bag);
        var decorateAll = root.Bool("decorate_all_jobs");
        var presets = root.List(ProwConfig.PresetsKey, ReadPreset);
        var inRepoConfig = root.Map(ProwConfig.InRepoConfigKey) is { } irc ? ReadInRepoConfig(irc) : new InRepoConfig();
        var presubmits = ReadRepos(root, "presubmits", r => ReadPresubmit(r, decorateAll));
        var postsubmits = ReadRepos(root, "postsubmits", r => ReadPostsubmit(r, decorateAll));
        var periodics = root.List("periodics", r => ReadPeriodic(r, decorateAll));
        var pipelinesAsCode = root.Strings(ProwConfig.PipelinesAsCodeKey);
        foreach (var entry in pipelinesAsCode.Where(e => e.Length == 0 || e.Split('/').Length > 2 || e.Split('/').Any(p => p.Length == 0)))
        {
            bag.Error(root.At(ProwConfig.PipelinesAsCodeKey), $"'{entry}' in {ProwConfig.PipelinesAsCodeKey} is neither an organisation nor org/repo");
        }

        var tide = Tide.TideConfigReader.Read(root);
        root.Ignore([.. ProwConfig.OtherKeys]);
        root.CheckUnknown();

        return new ProwConfig
        {
            Presubmits = presubmits,
            Postsubmits = postsubmits,
            Periodics = periodics,
            PipelinesAsCode = pipelinesAsCode,
            Presets = presets,
            InRepoConfig = inRepoConfig,
            DecorateAllJobs = decorateAll,
            Tide = tide,
        };
    }

    /// <summary>
    /// A repository's <c>.prow.yaml</c> (or one file of <c>.prow/</c>): Prow's <c>ProwYAML</c>,
    /// whose only keys are <c>presets</c>, <c>presubmits</c> and <c>postsubmits</c> (lists: the
    /// repository is the one the file is in) and <c>prow_ignored</c>; anything else is an error.
    /// </summary>
    public static (ImmutableArray<Preset> Presets, ImmutableArray<Presubmit> Presubmits, ImmutableArray<Postsubmit> Postsubmits) ReadInRepo(
        string file, string text, bool decorateAll, DiagnosticBag bag)
    {
        if (ResourceLoader.ParseYaml(file, text, bag) is not { } documents)
        {
            return ([], [], []);
        }

        var roots = documents.Where(d => d is not TreeScalar s || !string.IsNullOrWhiteSpace(s.Value)).ToList();
        if (roots.Count == 0)
        {
            return ([], [], []);
        }

        if (roots.Count > 1)
        {
            bag.Error(Loc(file, roots[1]), "an in-repo config file is one YAML document: merge the documents or split them into files under .prow/");
        }

        if (roots[0] is not TreeMapping node)
        {
            bag.Error(Loc(file, roots[0]), "an in-repo config must be a mapping with presubmits or postsubmits");
            return ([], [], []);
        }

        var root = new MapReader(node, file, "", bag);
        foreach (var key in root.Keys.Where(k => k is not (ProwConfig.PresetsKey or "presubmits" or "postsubmits" or "prow_ignored")).ToList())
        {
            var hint = key == "periodics" ? "periodics belong in the central config" : "only presets, presubmits and postsubmits may be defined in a repository";
            bag.Error(root.At(key), $"'{key}' is not allowed in in-repo config: {hint}");
            root.Ignore(key);
        }

        var presets = root.List(ProwConfig.PresetsKey, ReadPreset);
        var presubmits = root.List("presubmits", r => ReadPresubmit(r, decorateAll));
        var postsubmits = root.List("postsubmits", r => ReadPostsubmit(r, decorateAll));
        root.Ignore("prow_ignored");
        root.CheckUnknown();
        return (presets, presubmits, postsubmits);
    }

    /// <summary>
    /// What follows reading all of a config's files: the rules across them
    /// (<see cref="CheckDuplicates"/>, a preset <c>label:value</c> twice) and Prow's merge of the
    /// presets into the jobs' pods.
    /// </summary>
    public static ProwConfig Complete(ProwConfig config, DiagnosticBag bag)
    {
        CheckDuplicates(config, bag);
        PresetResolver.CheckLabels(config.Presets, bag);
        return PresetResolver.Apply(config, bag);
    }

    private static Preset? ReadPreset(MapReader r)
    {
        var tolerations = r.Keep("tolerations").GetValueOrDefault("tolerations");
        if (tolerations is not (null or List<object?>))
        {
            r.Diagnostics.Error(r.At("tolerations"), "tolerations must be a list of Kubernetes tolerations");
        }

        return r.Finish(new Preset
        {
            Labels = r.StringMap("labels"),
            Env = r.List("env", ResourceLoader.ReadEnv),
            Volumes = r.List("volumes", ResourceLoader.ReadVolume),
            VolumeMounts = r.List("volumeMounts", ResourceLoader.ReadVolumeMount),
            Tolerations = tolerations is List<object?> list ? [.. list] : [],
        });
    }

    /// <summary>Prow's <c>in_repo_config</c>: <c>enabled</c> (key to bool) and <c>allowed_clusters</c> (key to cluster names).</summary>
    private static InRepoConfig ReadInRepoConfig(MapReader r)
    {
        var enabled = ImmutableSortedDictionary.CreateBuilder<string, bool>(StringComparer.Ordinal);
        if (r.Map("enabled") is { } e)
        {
            foreach (var key in e.Keys.ToList())
            {
                enabled[key] = e.Bool(key);
            }

            e.CheckUnknown();
        }

        var allowed = ImmutableSortedDictionary.CreateBuilder<string, ImmutableArray<string>>(StringComparer.Ordinal);
        if (r.Map("allowed_clusters") is { } a)
        {
            foreach (var key in a.Keys.ToList())
            {
                allowed[key] = a.Strings(key);
            }

            a.CheckUnknown();
        }

        r.CheckUnknown();
        return new InRepoConfig { Enabled = enabled.ToImmutable(), AllowedClusters = allowed.ToImmutable() };
    }

    /// <summary>
    /// The rules across a whole config, once its files are merged: one name twice, or one context
    /// twice, in a repository's jobs whose branches overlap; a periodic's name twice.
    /// </summary>
    public static void CheckDuplicates(ProwConfig config, DiagnosticBag bag)
    {
        var (presubmits, postsubmits, periodics) = (config.Presubmits, config.Postsubmits, config.Periodics);
        foreach (var jobs in presubmits.Values)
        {
            CheckRepository(jobs, j => j.Brancher, j => j.Context, "presubmit", bag);
        }

        foreach (var jobs in postsubmits.Values)
        {
            CheckRepository(jobs, j => j.Brancher, j => j.Context, "postsubmit", bag);
        }

        var names = new Dictionary<string, Periodic>(StringComparer.Ordinal);
        foreach (var job in periodics)
        {
            if (!names.TryAdd(job.Name, job))
            {
                bag.Error(job.At("name"), $"duplicate periodic '{job.Name}': also defined at {names[job.Name].At("name")}; rename or remove one");
            }
        }

    }

    /// <summary>Prow's merge of job config files: each repository's jobs one after the other, in file order; periodics likewise.</summary>
    public static ProwConfig Merge(IEnumerable<ProwConfig> configs)
    {
        var presubmits = new SortedDictionary<string, ImmutableArray<Presubmit>>(StringComparer.Ordinal);
        var postsubmits = new SortedDictionary<string, ImmutableArray<Postsubmit>>(StringComparer.Ordinal);
        var periodics = ImmutableArray.CreateBuilder<Periodic>();
        var pipelinesAsCode = ImmutableArray.CreateBuilder<string>();
        var presets = ImmutableArray.CreateBuilder<Preset>();
        var inRepoConfig = new InRepoConfig();
        var decorateAll = false;
        var tide = Tide.TideConfig.Empty;
        foreach (var config in configs)
        {
            pipelinesAsCode.AddRange(config.PipelinesAsCode);
            tide = tide.Merge(config.Tide);
            presets.AddRange(config.Presets);
            decorateAll |= config.DecorateAllJobs;
            inRepoConfig = new InRepoConfig
            {
                Enabled = inRepoConfig.Enabled.SetItems(config.InRepoConfig.Enabled),
                AllowedClusters = inRepoConfig.AllowedClusters.SetItems(config.InRepoConfig.AllowedClusters),
            };
            foreach (var (repo, jobs) in config.Presubmits)
            {
                presubmits[repo] = presubmits.TryGetValue(repo, out var before) ? before.AddRange(jobs) : jobs;
            }

            foreach (var (repo, jobs) in config.Postsubmits)
            {
                postsubmits[repo] = postsubmits.TryGetValue(repo, out var before) ? before.AddRange(jobs) : jobs;
            }

            periodics.AddRange(config.Periodics);
        }

        return new ProwConfig
        {
            Presubmits = presubmits.ToImmutableSortedDictionary(StringComparer.Ordinal),
            Postsubmits = postsubmits.ToImmutableSortedDictionary(StringComparer.Ordinal),
            Periodics = periodics.ToImmutable(),
            PipelinesAsCode = pipelinesAsCode.ToImmutable(),
            Presets = presets.ToImmutable(),
            InRepoConfig = inRepoConfig,
            DecorateAllJobs = decorateAll,
            Tide = tide,
        };
    }

    private static SourceLocation Loc(string file, TreeNode node) => new(file, node.Line, node.Column);

    /// <summary>A map of <c>org/repo</c> to a list of jobs.</summary>
    private static ImmutableSortedDictionary<string, ImmutableArray<T>> ReadRepos<T>(MapReader root, string key, Func<MapReader, T?> read)
        where T : class
    {
        var result = ImmutableSortedDictionary.CreateBuilder<string, ImmutableArray<T>>(StringComparer.Ordinal);
        if (root.Map(key) is not { } repos)
        {
            return result.ToImmutable();
        }

        foreach (var repo in repos.Keys.ToList())
        {
            var parts = repo.Split('/');
            if (parts.Length < 2 || parts.Any(p => p.Length == 0))
            {
                repos.Diagnostics.Error(repos.At(repo), $"'{repo}' in {key} must be a repository as org/repo");
            }

            result[repo] = repos.List(repo, read);
        }

        repos.CheckUnknown();
        return result.ToImmutable();
    }

    /// <summary>
    /// Prow's rules for jobs of one repository: one name twice, or two jobs with one context, only
    /// clash when their branches can meet (a job may be defined once per release branch).
    /// </summary>
    private static void CheckRepository<T>(ImmutableArray<T> jobs, Func<T, Brancher> brancher, Func<T, string> context, string kind, DiagnosticBag bag)
        where T : ProwJob
    {
        for (var i = 0; i < jobs.Length; i++)
        {
            for (var j = 0; j < i; j++)
            {
                var (first, second) = (jobs[j], jobs[i]);
                if (!brancher(first).Intersects(brancher(second)))
                {
                    continue;
                }

                if (first.Name == second.Name)
                {
                    bag.Error(second.At("name"), $"duplicate {kind} '{second.Name}': also defined at {first.At("name")} for branches that overlap; rename one or give them branches that do not");
                    break;
                }

                if (context(first) == context(second))
                {
                    bag.Error(second.Has("context") ? second.At("context") : second.At("name"),
                        $"{kind}s '{first.Name}' and '{second.Name}' report to the same GitHub context '{context(second)}': give one another context");
                }
            }
        }
    }

    private static bool Has(this Located record, string field) => record.FieldLocations.ContainsKey(field);

    private static Presubmit? ReadPresubmit(MapReader r, bool decorateAll)
    {
        var name = r.RequiredString("name");
        var alwaysRun = r.Bool("always_run");
        var trigger = r.String("trigger");
        var rerun = r.String("rerun_command");
        var changes = ReadChanges(r, alwaysRun ? "always_run: true" : null);
        if (string.IsNullOrEmpty(trigger) != string.IsNullOrEmpty(rerun))
        {
            r.Diagnostics.Error(r.At(string.IsNullOrEmpty(trigger) ? "rerun_command" : "trigger"),
                $"job '{name}' sets only one of trigger and rerun_command: set both (the command must match the trigger) or neither");
        }

        if (string.IsNullOrEmpty(trigger) || string.IsNullOrEmpty(rerun))
        {
            trigger = TriggerCommands.DefaultTriggerFor(name);
            rerun = TriggerCommands.DefaultRerunCommandFor(name);
        }

        var triggerRegex = Compile(r, "trigger", trigger);
        if (triggerRegex is not null && !triggerRegex.IsMatch(rerun))
        {
            r.Diagnostics.Error(r.At("rerun_command"), $"rerun_command '{rerun}' does not match the trigger '{trigger}': users could not start job '{name}' with it");
        }

        var job = new Presubmit
        {
            Name = name,
            AlwaysRun = alwaysRun,
            Optional = r.Bool("optional"),
            Trigger = trigger,
            RerunCommand = rerun,
            RunBeforeMerge = r.Bool("run_before_merge"),
            Context = r.String("context") is { Length: > 0 } c ? c : name,
            SkipReport = r.Bool("skip_report"),
            Brancher = ReadBrancher(r),
            Changes = changes,
            TriggerRegex = triggerRegex,
            FlakeRetries = ReadFlakeRetries(r, name),
        };
        return r.Finish(ReadCommon(r, job, decorateAll, "jenkins_spec"));
    }

    /// <summary>Mothership's <c>flake_retries</c>: 0 (the default) to <see cref="Presubmit.MaxFlakeRetries"/>.</summary>
    private static int ReadFlakeRetries(MapReader r, string name)
    {
        var retries = r.Int("flake_retries") ?? 0;
        if (retries is < 0 or > Presubmit.MaxFlakeRetries)
        {
            r.Diagnostics.Error(r.At("flake_retries"),
                $"job '{name}': flake_retries {retries} must be 0 (no automatic retry) to {Presubmit.MaxFlakeRetries}; a job that fails more often is broken, not flaky");
        }

        return Math.Clamp(retries, 0, Presubmit.MaxFlakeRetries);
    }

    private static Postsubmit? ReadPostsubmit(MapReader r, bool decorateAll)
    {
        var name = r.RequiredString("name");
        bool? alwaysRun = r.Has("always_run") ? r.Bool("always_run") : null;
        var job = new Postsubmit
        {
            Name = name,
            AlwaysRun = alwaysRun,
            Context = r.String("context") is { Length: > 0 } c ? c : name,
            SkipReport = r.Bool("skip_report"),
            Brancher = ReadBrancher(r),
            Changes = ReadChanges(r, alwaysRun == true ? "always_run: true" : null),
        };
        return r.Finish(ReadCommon(r, job, decorateAll, "jenkins_spec"));
    }

    private static Periodic? ReadPeriodic(MapReader r, bool decorateAll)
    {
        var name = r.RequiredString("name");
        var job = new Periodic { Name = name, Tags = r.Strings("tags") };
        var set = new[] { "cron", "interval", "minimum_interval" }.Where(r.Has).ToList();
        if (set.Count > 1)
        {
            r.Diagnostics.Error(r.At(set[1]), $"periodic '{name}' sets {string.Join(" and ", set)}: set exactly one of cron, interval and minimum_interval");
        }
        else if (set.Count == 0)
        {
            r.Diagnostics.Error(r.Location, $"periodic '{name}' has no schedule: set one of cron (such as \"0 6 * * *\"), interval or minimum_interval (such as 2h)");
        }

        job = job with { Interval = Duration(r, "interval"), MinimumInterval = Duration(r, "minimum_interval") };
        if (r.String("cron") is { } cron)
        {
            job = job with { Cron = cron, CronSchedule = ParseCron(r, cron) };
        }

        return r.Finish(ReadCommon(r, job, decorateAll, "retry"));
    }

    private static TimeSpan? Duration(MapReader r, string key)
    {
        if (r.String(key) is not { } text)
        {
            return null;
        }

        if (!GoDuration.TryParse(text, out var duration))
        {
            r.Diagnostics.Error(r.At(key), $"{key} '{text}' is not a duration: write a Go duration such as 30m, 2h or 1h30m");
            return null;
        }

        if (duration <= TimeSpan.Zero)
        {
            r.Diagnostics.Error(r.At(key), $"{key} '{text}' must be longer than zero");
            return null;
        }

        return duration;
    }

    /// <summary>Five fields (minute to day of week), six with seconds first, or a macro such as <c>@daily</c>; in UTC.</summary>
    private static CronExpression? ParseCron(MapReader r, string text)
    {
        if (text.StartsWith("@every", StringComparison.Ordinal))
        {
            r.Diagnostics.Error(r.At("cron"), $"cron '{text}': @every is not supported; use interval: {text[6..].Trim()} instead");
            return null;
        }

        var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        try
        {
            return CronExpression.Parse(text, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        }
        catch (CronFormatException e)
        {
            r.Diagnostics.Error(r.At("cron"), $"invalid cron string '{text}': {e.Message} (write 5 fields: minute hour day-of-month month day-of-week, such as \"0 6 * * 1-5\")");
            return null;
        }
    }

    private static Brancher ReadBrancher(MapReader r)
    {
        var branches = r.Strings("branches");
        var skip = r.Strings("skip_branches");
        var branchesRegex = CompileList(r, "branches", branches);
        var skipRegex = CompileList(r, "skip_branches", skip);
        return branches.IsEmpty && skip.IsEmpty ? Brancher.All : new Brancher(branches, skip, branchesRegex, skipRegex);
    }

    /// <summary>Each regex checked on its own (so an error points at its item), then joined with <c>|</c> as Prow joins them.</summary>
    private static Regex? CompileList(MapReader r, string key, ImmutableArray<string> patterns)
    {
        if (patterns.IsEmpty)
        {
            return null;
        }

        var valid = true;
        for (var i = 0; i < patterns.Length; i++)
        {
            valid &= Compile(r, $"{key}[{i}]", patterns[i]) is not null;
        }

        return valid ? Compile(r, key, string.Join('|', patterns)) : null;
    }

    private static Regex? Compile(MapReader r, string field, string pattern)
    {
        var regex = GoRegex.TryCompile(pattern, out var error);
        if (regex is null)
        {
            r.Diagnostics.Error(r.At(field), $"invalid regex '{pattern}' in {field}: {error}");
        }

        return regex;
    }

    /// <summary><c>run_if_changed</c> or <c>skip_if_only_changed</c>, never both, nor either with <paramref name="alwaysRun"/>.</summary>
    private static ChangeMatcher ReadChanges(MapReader r, string? alwaysRun)
    {
        var runIf = r.String("run_if_changed") is { Length: > 0 } a ? a : null;
        var skipIf = r.String("skip_if_only_changed") is { Length: > 0 } b ? b : null;
        if (runIf is not null && skipIf is not null)
        {
            r.Diagnostics.Error(r.At("skip_if_only_changed"), "run_if_changed and skip_if_only_changed are mutually exclusive: keep one");
            return ChangeMatcher.None;
        }

        if (alwaysRun is not null && (runIf ?? skipIf) is not null)
        {
            var field = runIf is not null ? "run_if_changed" : "skip_if_only_changed";
            r.Diagnostics.Error(r.At(field), $"{alwaysRun} and {field} are mutually exclusive: remove always_run to run only for the files that match, or remove {field}");
            return ChangeMatcher.None;
        }

        if ((runIf ?? skipIf) is not { } pattern)
        {
            return ChangeMatcher.None;
        }

        var regex = Compile(r, runIf is not null ? "run_if_changed" : "skip_if_only_changed", pattern);
        return regex is null ? ChangeMatcher.None : new ChangeMatcher(runIf, skipIf, regex);
    }

    /// <summary>The fields of Prow's <c>JobBase</c> and <c>UtilityConfig</c>, and its <c>validateJobBase</c> and <c>validateAgent</c>.</summary>
    private static T ReadCommon<T>(MapReader r, T job, bool decorateAll, params string[] kept)
        where T : ProwJob
    {
        var name = job.Name;
        var agent = r.String("agent") is { Length: > 0 } a ? a : JobAgents.Kubernetes;
        if (name.Length > 0 && !(agent == JobAgents.Jenkins ? JenkinsJobName() : JobName()).IsMatch(name))
        {
            r.Diagnostics.Error(r.At("name"), $"job name '{name}' is invalid: use letters, digits, '-', '.' and '_' only");
        }

        var maxConcurrency = r.Int("max_concurrency") ?? 0;
        if (maxConcurrency < 0)
        {
            r.Diagnostics.Error(r.At("max_concurrency"), $"max_concurrency {maxConcurrency} must be 0 (no limit) or more");
        }

        bool? decorate = r.Has("decorate") ? r.Bool("decorate") : null;
        var podSpec = r.Map("spec") is { } spec ? ReadPodSpec(spec, name, decorate ?? decorateAll) : null;
        var pipelineRunSpec = r.Map("pipeline_run_spec") is { } prs ? ResourceLoader.ReadPipelineRunSpec(prs) : null;
        var extra = r.Keep([.. KeptJobFields, .. kept]);
        var pipelineRunField = pipelineRunSpec is not null ? "pipeline_run_spec"
            : extra.ContainsKey("tekton_pipeline_run_spec") ? "tekton_pipeline_run_spec"
            : null;
        CheckAgent(r, name, agent, pipelineRunField, extra);
        foreach (var problem in Periodics.ExtraRefs.Problems(extra.GetValueOrDefault(Periodics.ExtraRefs.Key)))
        {
            r.Diagnostics.Error(r.At(Periodics.ExtraRefs.Key), $"job '{name}': {problem}");
        }

        if (extra.ContainsKey("tekton_pipeline_run_spec"))
        {
            r.Diagnostics.Warning(r.At("tekton_pipeline_run_spec"), "tekton_pipeline_run_spec is kept but not checked: write the spec as pipeline_run_spec (tekton.dev/v1) to have it validated");
        }

        var labels = r.StringMap("labels");
        foreach (var reserved in ReservedLabels.Where(labels.ContainsKey))
        {
            r.Diagnostics.Error(r.At("labels"), $"label {reserved} is reserved for decoration: Prow sets it on every job's pod; remove it");
        }

        job = (T)(job with
        {
            Labels = labels,
            Annotations = r.StringMap("annotations"),
            MaxConcurrency = maxConcurrency,
            Agent = agent,
            Cluster = r.String("cluster") is { Length: > 0 } cluster ? cluster : "default",
            Namespace = r.String("namespace"),
            Decorate = decorate,
            PodSpec = podSpec,
            PipelineRunSpec = pipelineRunSpec,
            Extra = extra,
        });
        RunSpecValidation.Validate(job, r.Diagnostics);
        return job;
    }

    /// <summary>Prow's <c>validateAgent</c>: what each agent needs (a spec, a pipeline_run_spec) and refuses; an unknown agent is only warned about, as Prow does.</summary>
    private static void CheckAgent(MapReader r, string name, string agent, string? pipelineRunField, ImmutableDictionary<string, object?> extra)
    {
        if (agent is not (JobAgents.Kubernetes or JobAgents.TektonPipeline or JobAgents.Jenkins))
        {
            r.Diagnostics.Warning(r.At("agent"), $"agent '{agent}' is unknown and cannot be validated: Mothership runs {JobAgents.Kubernetes} and {JobAgents.TektonPipeline} jobs");
            return;
        }

        var agentAt = r.Has("agent") ? r.At("agent") : r.Location;
        if (r.Has("spec") && agent != JobAgents.Kubernetes)
        {
            r.Diagnostics.Error(r.At("spec"), $"job '{name}' has a spec, which needs agent: {JobAgents.Kubernetes} (found '{agent}')");
        }
        else if (agent == JobAgents.Kubernetes && !r.Has("spec"))
        {
            r.Diagnostics.Error(agentAt, $"job '{name}' has agent {JobAgents.Kubernetes}, which needs a spec (a pod spec with containers)");
        }

        if (pipelineRunField is not null && agent != JobAgents.TektonPipeline)
        {
            r.Diagnostics.Error(r.At(pipelineRunField), $"job '{name}' has a pipeline_run_spec, which needs agent: {JobAgents.TektonPipeline} (found '{agent}')");
        }
        else if (agent == JobAgents.TektonPipeline && pipelineRunField is null && !r.Has("pipeline_run_spec"))
        {
            r.Diagnostics.Error(agentAt, $"job '{name}' has agent {JobAgents.TektonPipeline}, which needs a pipeline_run_spec");
        }

        if (extra.ContainsKey("decoration_config") && agent != JobAgents.Kubernetes)
        {
            r.Diagnostics.Error(r.At("decoration_config"), $"decoration_config needs agent: {JobAgents.Kubernetes} (found '{agent}')");
        }

        if (extra.TryGetValue("error_on_eviction", out var eviction) && eviction is "true" or "True" && agent != JobAgents.Kubernetes)
        {
            r.Diagnostics.Error(r.At("error_on_eviction"), $"error_on_eviction only applies to agent: {JobAgents.Kubernetes} (found '{agent}')");
        }
    }

    /// <summary>
    /// A pod spec as a one-task TaskRun: its containers the steps, in order; init containers with
    /// <c>restartPolicy: Always</c> (Kubernetes' sidecars) the sidecars; its volumes the task's;
    /// its scheduling fields the pod template.
    /// </summary>
    private static TaskRunSpec ReadPodSpec(MapReader r, string job, bool decorated)
    {
        var containers = r.List("containers", ReadContainer);
        var sidecars = r.List("initContainers", c =>
        {
            var restart = c.String("restartPolicy");
            var step = ReadContainer(c);
            if (restart != "Always")
            {
                c.Diagnostics.Error(c.Location, $"job '{job}': init containers are not supported, only sidecars (restartPolicy: Always)");
            }

            return step;
        });
        var written = r.Peek("containers")?.Count ?? 0;
        if (written == 0)
        {
            r.Diagnostics.Error(r.Has("containers") ? r.At("containers") : r.Location, $"job '{job}': the pod spec needs at least one container");
        }
        else if (written > 1 && !decorated)
        {
            r.Diagnostics.Error(r.At("containers[1]"), $"job '{job}' has {written} containers, which needs decorate: true (Prow runs several containers only with pod utilities)");
        }

        if (containers.Length > 1)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var c in containers)
            {
                if (c.Name.Length == 0)
                {
                    r.Diagnostics.Error(c.Location, $"job '{job}': every container needs a name when the pod has several");
                }
                else if (!seen.Add(c.Name))
                {
                    r.Diagnostics.Error(c.At("name"), $"job '{job}': container '{c.Name}' is defined more than once");
                }
            }
        }

        var steps = containers.Length == 1 && containers[0].Name.Length == 0 ? [containers[0] with { Name = "test" }] : containers;
        var task = new TaskSpec { Steps = steps, Sidecars = sidecars, Volumes = r.List("volumes", ResourceLoader.ReadVolume), Location = r.Location };
        var serviceAccount = r.String("serviceAccountName");
        var podFields = r.Keep([.. PodTemplate.PodFieldNames]).ToImmutableSortedDictionary(StringComparer.Ordinal);
        r.Ignore(IgnoredPodFields);
        return r.Finish(new TaskRunSpec
        {
            TaskSpec = task,
            ServiceAccountName = serviceAccount,
            PodTemplate = podFields.IsEmpty ? null : new PodTemplate { PodFields = podFields, Location = r.Location },
        });
    }

    /// <summary>A Kubernetes container as a Tekton step: the fields both have, the container's other fields kept or accepted.</summary>
    private static Step ReadContainer(MapReader r)
    {
        var step = new Step
        {
            Name = r.String("name") ?? "",
            Image = r.String("image"),
            Command = r.Strings("command"),
            Args = r.Strings("args"),
            Env = r.List("env", ResourceLoader.ReadEnv),
            EnvFrom = r.List("envFrom", ResourceLoader.ReadEnvFrom),
            WorkingDir = r.String("workingDir"),
            VolumeMounts = r.List("volumeMounts", ResourceLoader.ReadVolumeMount),
            Extra = r.Keep(KeptContainerFields),
        };
        if (step.Image is null)
        {
            r.Diagnostics.Error(r.Location, $"container '{r.Path}' needs an image");
        }

        r.Ignore(IgnoredContainerFields);
        return r.Finish(step);
    }
}
