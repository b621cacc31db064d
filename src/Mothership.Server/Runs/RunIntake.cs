using System.Collections.Immutable;
using Mothership.Engine.Journal;
using Mothership.Engine.Preparation;
using Mothership.Engine.Resolution;
using Mothership.Engine.Resolution.Remote;
using Mothership.Engine.Reuse;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Model.Validation;
using Mothership.Store;

namespace Mothership.Server.Runs;

/// <summary>A run accepted by <see cref="RunIntake"/>, or the diagnostics that refused it.</summary>
/// <paramref name="GenerateName"/>: the prefix the run's name was made from, when the body gave <c>generateName</c> rather than a name.
/// <paramref name="Pipeline"/>: the pipeline an accepted PipelineRun runs, as validated (its graph is drawn from it).
internal sealed record IntakeResult(RunRecord? Run, IReadOnlyList<Diagnostic> Diagnostics, bool NameTaken = false, string? GenerateName = null, PipelineSpec? Pipeline = null);

/// <summary>
/// Turns a submitted PipelineRun or TaskRun (YAML or JSON, with any Tasks, Pipelines, ConfigMaps
/// it brings along) into a stored run: the same loading and validation as <c>mship validate</c>,
/// with the Tasks and Pipelines applied to the server filling in what the body references. The
/// run's manifest freezes those definitions, so a restart or a rerun runs what was validated.
/// Remote refs are resolved here (<see cref="RemoteResolution"/>; <c>cluster</c> names what is
/// applied to the server) and what they fetched is frozen into the manifest as well.
/// </summary>
internal sealed class RunIntake(IRunStore store, TimeProvider time, RemoteResolution resolution)
{
    /// <summary>Rounds of resolving and fetching from the store: resolved content may reference stored definitions, which may reference remote ones.</summary>
    private const int MaxRounds = 5;

    /// <summary>
    /// Names tried for a run created with <c>generateName</c> before answering that the name is
    /// taken, as the Kubernetes API server retries (five random characters: thousands of runs of
    /// one prefix make a collision likely).
    /// </summary>
    private const int GeneratedNameAttempts = 8;

    /// <summary>The file name diagnostics give the request body.</summary>
    public const string BodyFile = "body";

    /// <summary>Validates and stores a run; <paramref name="kind"/> is what the endpoint accepts.</summary>
    public async Task<IntakeResult> CreateAsync(string kind, string body, string actor, CancellationToken cancellationToken)
    {
        var result = await PrepareAsync(kind, body, actor, cancellationToken).ConfigureAwait(false);
        if (result.Run is not { } record)
        {
            return result;
        }

        for (var attempt = 1; ; attempt++)
        {
            if (await store.CreateRunAsync(record, actor, cancellationToken).ConfigureAwait(false))
            {
                return result with { Run = record };
            }

            if (result.GenerateName is not { } prefix || attempt == GeneratedNameAttempts)
            {
                return new IntakeResult(null, [], NameTaken: true);
            }

            record = record with { Name = RunNames.Generate(prefix) };
        }
    }

    /// <summary>
    /// The name (else <c>generateName</c>) and labels of the one run a create request's body holds,
    /// read without validating it (the access check asks before <see cref="CreateAsync"/> does);
    /// empty when the body holds no single run.
    /// </summary>
    public static (string Name, IReadOnlyDictionary<string, string> Labels) NameAndLabels(string body)
    {
        var runs = ResourceLoader.Load(BodyFile, body, new DiagnosticBag()).Where(r => r is PipelineRun or TaskRun).ToList();
        return runs.Count == 1 ? (runs[0].Metadata.Name ?? runs[0].Metadata.GenerateName ?? "", runs[0].Metadata.Labels) : ("", new Dictionary<string, string>());
    }

    /// <summary>
    /// Validates a run and makes its record (frozen manifest, queued) without storing it, for a
    /// caller that stores it with more in one transaction (a site deploy with its lock).
    /// <paramref name="routed"/>: the caller is the server's site deploy, which alone may write the
    /// annotations that route a run's TaskRuns (<see cref="MothershipLabels.Routing"/>); any other
    /// body that carries one is refused, so a submitted run cannot pick a cluster or this machine.
    /// </summary>
    public async Task<IntakeResult> PrepareAsync(string kind, string body, string actor, CancellationToken cancellationToken, bool routed = false)
    {
        var bag = new DiagnosticBag();
        var given = ResourceLoader.Load(BodyFile, body, bag);
        if (bag.HasErrors)
        {
            return new IntakeResult(null, bag.Sorted().ToList());
        }

        if (given.FirstOrDefault(ReuseDocument.Is) is { } reserved)
        {
            // Only a rerun from the failure writes it: a body bringing one would pass off made-up outcomes as reused.
            bag.Error(reserved.Location, $"ConfigMap '{ReuseDocument.Name}' is reserved for reruns from the failure (POST …/rerun {{\"fromFailed\": true}}); rename it");
            return new IntakeResult(null, bag.Sorted().ToList());
        }

        var runs = given.Where(r => r is PipelineRun or TaskRun).ToList();
        if (runs.Count != 1 || runs[0].Kind != kind)
        {
            var where = runs.Count > 0 ? runs[0].Location : new SourceLocation(BodyFile, 1, 1);
            bag.Error(where, runs.Count > 1 ? "the body holds several runs: send one per request" : $"the body holds no {kind}");
            return new IntakeResult(null, bag.Sorted().ToList());
        }

        if (!routed && MothershipLabels.Routing.FirstOrDefault(runs[0].Metadata.Annotations.ContainsKey) is { } routing)
        {
            bag.Error(runs[0].Location, $"annotation '{routing}' is reserved for the server's site deploys (it picks the executor and cluster their TaskRuns run on); remove it");
            return new IntakeResult(null, bag.Sorted().ToList());
        }

        var run = RunNames.Named(runs[0]);
        var (stored, storedText) = await ReferencedAsync(run, given, bag, cancellationToken).ConfigureAwait(false);
        var resources = new ResourceSet { All = [.. given.Select(r => r == runs[0] ? run : r), .. stored] };
        if (!bag.HasErrors)
        {
            // The run as written: a bad generateName is reported as such, not as the name made from it.
            ResourceValidator.Validate(resources with { All = [.. given, .. stored] }, bag);
        }

        var resolved = new ResolvedRun(run, resources, ImmutableSortedDictionary<string, ResolvedDocument>.Empty);
        if (!bag.HasErrors && RemoteInliner.HasRemoteRefs(run, resources))
        {
            (resolved, resources) = await ResolveAsync(run, resources, storedText, bag, cancellationToken).ConfigureAwait(false);
            if (!bag.HasErrors)
            {
                // What was fetched, in place: the run's params and workspaces against the resolved Task or Pipeline.
                ResourceValidator.Validate(resolved.Resources with { All = [.. resolved.Resources.All.Select(r => r == run ? resolved.Run : r)] }, bag);
            }
        }

        if (!bag.HasErrors)
        {
            CheckRunnable(resolved.Run, resolved.Resources, bag);
        }

        if (bag.HasErrors)
        {
            return new IntakeResult(null, bag.Sorted().Distinct().ToList());
        }

        return new IntakeResult(Record(run, ManifestOf(body, [.. storedText, .. FrozenResolutions.Documents(resolved.Fetched)]), actor), [],
            GenerateName: runs[0].Metadata.Name is null ? runs[0].Metadata.GenerateName ?? runs[0].Kind.ToLowerInvariant() + "-" : null,
            Pipeline: resolved.Run is PipelineRun pipelineRun ? RunPreparation.PipelineOf(pipelineRun, resolved.Resources) : null);
    }

    /// <summary>
    /// Resolves the run's remote refs, then fetches from the store what the resolved content
    /// references by name (a <c>cluster</c> ref included), until nothing new is needed.
    /// <paramref name="storedText"/> gains the stored documents fetched.
    /// </summary>
    private async Task<(ResolvedRun Resolved, ResourceSet Resources)> ResolveAsync(Resource run, ResourceSet resources, List<string> storedText,
        DiagnosticBag bag, CancellationToken cancellationToken)
    {
        var fetched = ImmutableSortedDictionary<string, ResolvedDocument>.Empty;
        for (var round = 0; ; round++)
        {
            var resolved = await resolution.ResolveAsync(run, resources, [], new ResourceSetSecrets(resources), bag, fetched, cancellationToken).ConfigureAwait(false);
            fetched = fetched.SetItems(resolved.Fetched);
            resolved = resolved with { Fetched = fetched };
            if (bag.HasErrors || round == MaxRounds)
            {
                return (resolved, resources);
            }

            var (more, moreText) = await ReferencedAsync(resolved.Run, [.. resolved.Resources.All], bag, cancellationToken).ConfigureAwait(false);
            if (more.Count == 0)
            {
                return (resolved, resources);
            }

            resources = resources with { All = [.. resources.All, .. more] };
            storedText.AddRange(moreText);
        }
    }

    /// <summary>What <c>mship run</c> refuses before starting (<see cref="RunPreparation"/>): required workspaces left unbound, params that do not resolve.</summary>
    private static void CheckRunnable(Resource run, ResourceSet resources, DiagnosticBag bag)
    {
        try
        {
            RunPreparation.Prepare(run, resources);
        }
        catch (TaskResolutionException e)
        {
            bag.Error(run.Location, e.Message);
        }
    }

    /// <summary>
    /// Stores a copy of a run under a new name, with the same frozen manifest (without the tasks a
    /// rerun from the failure reused: a plain rerun runs every task).
    /// </summary>
    public async Task<RunRecord?> RerunAsync(RunRecord original, string actor, CancellationToken cancellationToken)
    {
        var record = Copy(original, ReuseDocument.Strip(original.Manifest), actor, fromFailed: false);
        return await store.CreateRunAsync(record, actor, cancellationToken).ConfigureAwait(false) ? record : null;
    }

    /// <summary>
    /// Reruns a finished PipelineRun that did not succeed from its failure: a copy as
    /// <see cref="RerunAsync"/> makes, that reuses the tasks which succeeded in it
    /// (<see cref="TaskReuse.FromFailed"/>) and runs the others again. The reused tasks are stored in
    /// the new run's manifest (<see cref="ReuseDocument"/>), so the earlier run may go and a restart
    /// mid-run still knows them. The new run is labelled <see cref="MothershipLabels.RerunFromFailed"/>.
    /// </summary>
    public async Task<FromFailedRerun> RerunFromFailedAsync(RunRecord original, string actor, CancellationToken cancellationToken)
    {
        var rerun = await PrepareRerunFromFailedAsync(original, actor, cancellationToken).ConfigureAwait(false);
        if (rerun.Run is not { } record)
        {
            return rerun;
        }

        return await store.CreateRunAsync(record, actor, cancellationToken).ConfigureAwait(false)
            ? rerun
            : new FromFailedRerun { Refusal = RerunRefusal.NameTaken, Message = "the generated name is taken; try again" };
    }

    /// <summary>
    /// <see cref="RerunFromFailedAsync"/> without storing the run: for a caller that stores it in a
    /// transaction of its own (a site deploy resumed under the site's lock).
    /// </summary>
    public async Task<FromFailedRerun> PrepareRerunFromFailedAsync(RunRecord original, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(original);
        string? refused = original switch
        {
            { Kind: not nameof(PipelineRun) } => $"{original.Kind} '{original.Name}': only a PipelineRun can be rerun from its failure (it has tasks to reuse); rerun it whole",
            { Phase: not RunPhase.Finished } => $"PipelineRun '{original.Name}' has not finished ({original.Phase.ToString().ToLowerInvariant()}): cancel it or wait for its end",
            { Status: ConditionStatus.True } => $"PipelineRun '{original.Name}' succeeded ({original.Reason}): nothing failed to rerun from; rerun it whole",
            _ => null,
        };
        if (refused is not null)
        {
            var refusal = original.Kind != nameof(PipelineRun) ? RerunRefusal.NotApplicable
                : original.Phase != RunPhase.Finished ? RerunRefusal.NotFinished : RerunRefusal.NothingFailed;
            return new FromFailedRerun { Refusal = refusal, Message = refused };
        }

        ImmutableDictionary<string, ReusedTask> reuse;
        try
        {
            reuse = await ReusableAsync(original, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FormatException or TaskResolutionException or InvalidOperationException or ArgumentException or KeyNotFoundException or IndexOutOfRangeException)
        {
            return new FromFailedRerun { Refusal = RerunRefusal.Unreadable, Message = $"PipelineRun '{original.Name}': its history cannot be read back ({e.Message}); rerun it whole" };
        }

        var manifest = ReuseDocument.Strip(original.Manifest);
        if (!reuse.IsEmpty)
        {
            manifest = ReuseDocument.Append(manifest, original.Name, reuse.Values.OrderBy(t => t.PipelineTask, StringComparer.Ordinal));
        }

        return new FromFailedRerun { Run = Copy(original, manifest, actor, fromFailed: true), Reused = [.. reuse.Keys.Order(StringComparer.Ordinal)] };
    }

    /// <summary>
    /// The tasks of a finished PipelineRun a rerun from its failure reuses: its journal replayed
    /// as a server resuming it replays it (<see cref="RunReplay"/>), for the outcomes exactly as
    /// recorded. None when it ended before its first decision (its spec could not be read).
    /// </summary>
    private async Task<ImmutableDictionary<string, ReusedTask>> ReusableAsync(RunRecord original, CancellationToken cancellationToken)
    {
        var manifest = RunManifest.Load(original);
        if (manifest.Errors.Count > 0)
        {
            throw new FormatException(string.Join("; ", manifest.Errors));
        }

        var prepared = RunPreparation.Prepare((PipelineRun)manifest.Run, manifest.Resources);
        var run = prepared.Run;
        // As RunSupervisor resumes a run that made decisions: a pending run's spec.status was released.
        prepared = prepared with { Run = run with { Spec = run.Spec with { Status = SpecStatus.IsPending(run.Spec.Status) ? null : run.Spec.Status } } };
        var entries = await store.ReadJournalAsync(original.Uid, cancellationToken).ConfigureAwait(false);
        var replay = RunReplay.Replay(now => prepared.Start(original.Uid, now), [.. entries.Select(e => JournalCodec.Deserialize(e.Entry))]);
        return replay is null ? ImmutableDictionary<string, ReusedTask>.Empty : TaskReuse.FromFailed(replay.State);
    }

    private RunRecord Copy(RunRecord original, string manifest, string actor, bool fromFailed)
    {
        var run = RunManifest.Load(original).Run;
        var baseName = original.Labels.GetValueOrDefault(MothershipLabels.RerunOf) ?? original.Name;
        var labels = run.Metadata.Labels.SetItem(MothershipLabels.RerunOf, baseName);
        labels = fromFailed ? labels.SetItem(MothershipLabels.RerunFromFailed, original.Name) : labels.Remove(MothershipLabels.RerunFromFailed);
        run = run with
        {
            Metadata = run.Metadata with
            {
                Name = RunNames.Generate($"{Trim(baseName)}-r-"),
                GenerateName = null,
                Labels = labels,
            },
        };
        return Record(run, manifest, actor) with { Phase = RunPhase.Queued };
    }

    private RunRecord Record(Resource run, string manifest, string actor)
    {
        var (pipeline, pending) = run switch
        {
            PipelineRun pr => (pr.Spec.PipelineRef?.Name ?? "", pr.Spec.Status == SpecStatus.PipelineRunPending),
            TaskRun tr => (tr.Spec.TaskRef?.Name ?? "", tr.Spec.Status == SpecStatus.TaskRunPending),
            _ => ("", false),
        };
        return new RunRecord
        {
            Uid = Guid.NewGuid().ToString(),
            Kind = run.Kind,
            Name = run.Metadata.Name!,
            Pipeline = pipeline,
            Labels = run.Metadata.Labels,
            Phase = pending ? RunPhase.Pending : RunPhase.Queued,
            Status = ConditionStatus.Unknown,
            Reason = pending ? SpecStatus.PendingOf(run.Kind) : PipelineRunReason.Queued,
            CreatedAt = time.GetUtcNow(),
            Manifest = manifest,
            CreatedBy = actor,
        };
    }

    /// <summary>The body first (so its line numbers stay true), then the stored definitions it uses.</summary>
    private static string ManifestOf(string body, IEnumerable<string> stored) =>
        string.Join("\n---\n", [body.TrimEnd('\n'), .. stored.Select(s => s.TrimEnd('\n'))]) + "\n";

    /// <summary>
    /// The Pipelines, Tasks and StepActions the run references that the body does not bring,
    /// from the store, following references until none are left.
    /// </summary>
    private async Task<(List<Resource> Resources, List<string> Texts)> ReferencedAsync(Resource run, IReadOnlyList<Resource> given,
        DiagnosticBag bag, CancellationToken cancellationToken)
    {
        var have = given.Select(r => (r.Kind, r.Metadata.Name ?? "")).ToHashSet();
        var resources = new List<Resource>();
        var texts = new List<string>();
        var wanted = new Queue<(string Kind, string Name)>(References(run));
        while (wanted.TryDequeue(out var next))
        {
            if (!have.Add(next))
            {
                continue;
            }

            var stored = await store.GetResourceAsync(next.Kind, next.Name, cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                continue; // the validator reports the dangling reference with its line
            }

            var loaded = ResourceLoader.Load($"{next.Kind.ToLowerInvariant()}s/{next.Name}", stored.Document, bag);
            resources.AddRange(loaded);
            texts.Add(stored.Document);
            foreach (var r in loaded)
            {
                foreach (var reference in References(r))
                {
                    wanted.Enqueue(reference);
                }
            }
        }

        return (resources, texts);
    }

    private static IEnumerable<(string Kind, string Name)> References(Resource r)
    {
        static IEnumerable<(string, string)> OfTask(TaskSpec? spec) =>
            spec is null ? [] : spec.Steps.Where(s => s.Ref is not null).Select(s => ("StepAction", s.Ref!));

        static IEnumerable<(string, string)> OfPipeline(PipelineSpec? spec) =>
            spec is null ? [] : spec.Tasks.Concat(spec.Finally).SelectMany(t =>
                t.TaskRef?.Name is { } name ? [("Task", name)] : OfTask(t.TaskSpec));

        return r switch
        {
            PipelineRun pr => pr.Spec.PipelineRef?.Name is { } p ? [("Pipeline", p)] : OfPipeline(pr.Spec.PipelineSpec),
            TaskRun tr => tr.Spec.TaskRef?.Name is { } t ? [("Task", t)] : OfTask(tr.Spec.TaskSpec),
            Pipeline p => OfPipeline(p.Spec),
            TektonTask t => OfTask(t.Spec),
            _ => [],
        };
    }

    /// <summary>At most 50 characters, not ending in '.', so NAME-r-XXXXX is still a valid name.</summary>
    private static string Trim(string name) => (name.Length > 50 ? name[..50] : name).TrimEnd('.');
}
