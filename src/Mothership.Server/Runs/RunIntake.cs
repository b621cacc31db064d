using System.Collections.Immutable;
using Mothership.Engine.Preparation;
using Mothership.Engine.Resolution;
using Mothership.Engine.Resolution.Remote;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Model.Validation;
using Mothership.Store;

namespace Mothership.Server.Runs;

/// <summary>A run accepted by <see cref="RunIntake"/>, or the diagnostics that refused it.</summary>
internal sealed record IntakeResult(RunRecord? Run, IReadOnlyList<Diagnostic> Diagnostics, bool NameTaken = false);

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

        var created = await store.CreateRunAsync(record, actor, cancellationToken).ConfigureAwait(false);
        return created ? result : new IntakeResult(null, [], NameTaken: true);
    }

    /// <summary>
    /// Validates a run and makes its record (frozen manifest, queued) without storing it, for a
    /// caller that stores it with more in one transaction (a site deploy with its lock).
    /// </summary>
    public async Task<IntakeResult> PrepareAsync(string kind, string body, string actor, CancellationToken cancellationToken)
    {
        var bag = new DiagnosticBag();
        var given = ResourceLoader.Load(BodyFile, body, bag);
        if (bag.HasErrors)
        {
            return new IntakeResult(null, bag.Sorted().ToList());
        }

        var runs = given.Where(r => r is PipelineRun or TaskRun).ToList();
        if (runs.Count != 1 || runs[0].Kind != kind)
        {
            var where = runs.Count > 0 ? runs[0].Location : new SourceLocation(BodyFile, 1, 1);
            bag.Error(where, runs.Count > 1 ? "the body holds several runs: send one per request" : $"the body holds no {kind}");
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

        return new IntakeResult(Record(run, ManifestOf(body, [.. storedText, .. FrozenResolutions.Documents(resolved.Fetched)]), actor), []);
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

    /// <summary>Stores a copy of a run under a new name, with the same frozen manifest.</summary>
    public async Task<RunRecord?> RerunAsync(RunRecord original, string actor, CancellationToken cancellationToken)
    {
        var run = RunManifest.Load(original).Run;
        var baseName = original.Labels.GetValueOrDefault(MothershipLabels.RerunOf) ?? original.Name;
        run = run with
        {
            Metadata = run.Metadata with
            {
                Name = RunNames.Generate($"{Trim(baseName)}-r-"),
                GenerateName = null,
                Labels = run.Metadata.Labels.SetItem(MothershipLabels.RerunOf, baseName),
            },
        };
        var record = Record(run, original.Manifest, actor) with { Phase = RunPhase.Queued };
        return await store.CreateRunAsync(record, actor, cancellationToken).ConfigureAwait(false) ? record : null;
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
