using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Mothership.Cloud.Rollouts;
using Mothership.Cloud.Sites;
using Mothership.Cloud.Sources;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Server.Cloud;
using Mothership.Store;

namespace Mothership.Server.Rollouts;

/// <summary>
/// Rollouts on the server: starts one (the plan built from the rollout policy and the sites at the
/// revision, its first step decided and stored before any deploy starts), applies what people do
/// (pause, resume, abort, retry, approve) as decider steps written under the rollout's version,
/// and stores every step with its transitions as events. <see cref="RolloutDriver"/> does the rest.
/// </summary>
internal sealed partial class RolloutService(SiteRepositoryCache cache, IRunStore store, TimeProvider time, ILogger<RolloutService> logger)
{
    private readonly ConcurrentDictionary<string, RolloutPlan> _plans = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>
    /// Raised with the rollout as stored after each write of this replica (its start, each step,
    /// each action), in the order the writes were made; a handler must return at once (it runs on
    /// the writer's thread). The rollout's pull request follows it (<see cref="Promotion.RolloutPullRequestService"/>).
    /// </summary>
    public event Action<RolloutRecord>? Changed;

    /// <summary>Makes the driver look at the rollouts now.</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    /// <summary>Waits for <see cref="Wake"/> or <paramref name="timeout"/>.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            await _wake.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The time is up: look again.
        }
    }

    public bool Configured => cache.Configured;

    /// <summary>The plan of <paramref name="environment"/>'s rollout at <paramref name="commit"/>, with each site's region; an error message when there is none.</summary>
    public (RolloutPlan? Plan, ImmutableDictionary<string, string> Regions, string? Error) Plan(string environment, string commit)
    {
        using var files = cache.Open(commit);
        var bag = new DiagnosticBag();
        var catalog = SiteRepositoryLoader.LoadCatalog(files, "", bag);
        if (catalog?.Promotion?.Environments.FirstOrDefault(e => e.Environment == environment) is not { Rollout: { } policy })
        {
            var known = catalog?.Promotion?.Environments.Where(e => e.Rollout is not null).Select(e => e.Environment).ToList() ?? [];
            return (null, ImmutableDictionary<string, string>.Empty,
                $"environment '{environment}' has no rollout policy in cloud.yaml's spec.promotion at {commit[..12]} ({(known.Count == 0 ? "no environment has one" : "those with one: " + string.Join(", ", known))})");
        }

        var sites = new List<RolloutSite>();
        foreach (var name in SiteRepositoryLoader.SiteNames(files))
        {
            if (SiteRepositoryLoader.LoadSite(files, name, "", new DiagnosticBag()) is { } site)
            {
                sites.Add(new RolloutSite(name, site.Region, site.Environment));
            }
        }

        var plan = RolloutPlan.Build(policy, sites, bag);
        if (plan is null)
        {
            return (null, ImmutableDictionary<string, string>.Empty, bag.Sorted().FirstOrDefault(d => d.Severity == Severity.Error)?.ToString() ?? "the rollout cannot be planned");
        }

        return (plan, sites.Where(s => s.Environment == environment).ToImmutableDictionary(s => s.Name, s => s.Region, StringComparer.Ordinal), null);
    }

    /// <summary>The plan a stored rollout runs, rebuilt from its revision (the same inputs give the same plan) once per process.</summary>
    public async Task<RolloutPlan> PlanOfAsync(RolloutRecord rollout, CancellationToken cancellationToken)
    {
        if (_plans.TryGetValue(rollout.Name, out var plan))
        {
            return plan;
        }

        if (cache.Resolve(rollout.Revision) is null)
        {
            await cache.RefreshAsync(cancellationToken, force: true).ConfigureAwait(false);
        }

        var built = Plan(rollout.Environment, rollout.Revision);
        return _plans.GetOrAdd(rollout.Name, built.Plan ?? throw new InvalidOperationException($"rollout {rollout.Name}: {built.Error}"));
    }

    /// <summary>
    /// The PipelineRun of a bake check: <paramref name="pipeline"/> is a Pipeline stored on the
    /// server (by name) or a file of the site repository at <paramref name="commit"/> (a relative
    /// <c>.yaml</c> path), run with the param <c>site</c>; null with why when the file is not there.
    /// </summary>
    public (string? Body, string? Error) BakeRun(string commit, string pipeline, string site, IReadOnlyDictionary<string, string> labels)
    {
        var name = pipeline;
        var definition = "";
        if (pipeline.EndsWith(".yaml", StringComparison.Ordinal) || pipeline.EndsWith(".yml", StringComparison.Ordinal))
        {
            if (Path.IsPathRooted(pipeline) || pipeline.Split('/').Any(p => p is ".." or ""))
            {
                return (null, $"bake pipeline '{pipeline}' is not a path inside the site repository");
            }

            using var files = cache.Open(commit);
            if (files.ReadText(pipeline) is not { } text)
            {
                return (null, $"bake pipeline file {pipeline} does not exist at {commit[..12]}");
            }

            var bag = new DiagnosticBag();
            if (ResourceLoader.Load(pipeline, text, bag).OfType<Pipeline>().FirstOrDefault() is not { Metadata.Name: { } named })
            {
                return (null, $"bake pipeline file {pipeline} holds no named Pipeline{(bag.HasErrors ? ": " + bag.Sorted().First() : "")}");
            }

            name = named;
            definition = text.TrimEnd() + "\n---\n";
        }

        var all = new SortedDictionary<string, string>(labels.ToDictionary(), StringComparer.Ordinal) { [MothershipLabels.Site] = site };
        var run = $"""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata:
              generateName: bake-{site}-
              labels:
            {string.Join("\n", all.Select(l => $"    {l.Key}: \"{l.Value}\""))}
            spec:
              pipelineRef:
                name: {name}
              params:
                - name: site
                  value: {site}
            """;
        return (definition + run + "\n", null);
    }

    /// <summary>Starts a rollout of <paramref name="environment"/> at <paramref name="revision"/> (null: the default branch's tip).</summary>
    public async Task<RolloutAnswer> StartAsync(string environment, string? revision, string actor, CancellationToken cancellationToken)
    {
        await cache.RefreshAsync(cancellationToken).ConfigureAwait(false);
        if (revision is not null && cache.Resolve(revision) is null)
        {
            await cache.RefreshAsync(cancellationToken, force: true).ConfigureAwait(false);
        }

        if (cache.Resolve(revision) is not { } commit)
        {
            return new RolloutAnswer(StatusCodes.Status400BadRequest, Field: "revision",
                Message: revision is null ? "the site repository has no default branch" : $"revision '{revision}' names no commit of the site repository");
        }

        RolloutPlan? plan;
        ImmutableDictionary<string, string> regions;
        string? error;
        try
        {
            (plan, regions, error) = Plan(environment, commit);
        }
        catch (SiteSourceException e)
        {
            return new RolloutAnswer(StatusCodes.Status400BadRequest, Field: "revision", Message: e.Message);
        }

        if (plan is null || plan.SiteCount == 0)
        {
            return new RolloutAnswer(StatusCodes.Status400BadRequest, Field: "environment", Message: error ?? $"environment '{environment}' has no sites at {commit[..12]}");
        }

        var now = time.GetUtcNow();
        var name = $"{environment}-{commit[..7]}-{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..5]}";
        var decision = RolloutDecider.Next(plan, RolloutState.Start(plan), now, []);
        var document = new RolloutDocument
        {
            State = decision.State,
            Waves = [.. plan.Waves.Select(w => new RolloutDocument.WaveView(w.Name, w.Sites, w.Gate?.Approvers ?? []))],
            Regions = regions,
        };
        var record = new RolloutRecord
        {
            Name = name,
            Environment = environment,
            Revision = commit,
            Actor = actor,
            Status = decision.State.Status.ToString(),
            Reason = $"started by {actor}",
            Active = !decision.State.Done,
            Document = document.Serialize(),
            CreatedAt = now,
            UpdatedAt = now,
            WakeAt = decision.WakeAt,
        };
        var started = new RolloutEventRecord
        {
            Rollout = name, At = now, To = record.Status, Reason = "Started", Actor = actor,
            Message = $"rollout of {environment} to {commit[..12]}: {string.Join(", ", plan.Waves.Select(w => $"{w.Name} ({w.Sites.Length})"))}",
        };
        switch (await store.CreateRolloutAsync(record, [started, .. Events(name, decision, null)], cancellationToken).ConfigureAwait(false))
        {
            case RolloutCreateOutcome.Created:
                _plans.TryAdd(name, plan);
                Log.Started(logger, name, environment, commit, actor);
                Changed?.Invoke(record);
                Wake();
                return new RolloutAnswer(StatusCodes.Status201Created, record);
            case RolloutCreateOutcome.EnvironmentBusy:
                var active = (await store.ListRolloutsAsync(200, cancellationToken).ConfigureAwait(false)).FirstOrDefault(r => r.Active && r.Environment == environment);
                return new RolloutAnswer(StatusCodes.Status409Conflict, Field: "environment",
                    Message: $"rollout {active?.Name ?? "(unknown)"} of {environment} is active ({active?.Status}): abort it or wait for it to finish");
            default:
                return new RolloutAnswer(StatusCodes.Status409Conflict, Message: $"a rollout named '{name}' exists; ask again");
        }
    }

    /// <summary>
    /// Applies what <paramref name="actor"/> did (<paramref name="make"/> given the time) as one
    /// step, written under the rollout's version (retried when the driver wrote first); 409 with
    /// the decider's reason when it changes nothing (resuming what is not paused, …).
    /// </summary>
    public async Task<RolloutAnswer> ActAsync(string name, string action, string actor, Func<DateTimeOffset, RolloutEvent> make, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            if (await store.GetRolloutAsync(name, cancellationToken).ConfigureAwait(false) is not { } rollout)
            {
                return new RolloutAnswer(StatusCodes.Status404NotFound, Message: $"rollout '{name}' not found");
            }

            if (!rollout.Active)
            {
                return new RolloutAnswer(StatusCodes.Status409Conflict, rollout, Message: $"rollout {name} is over ({rollout.Status})");
            }

            var plan = await PlanOfAsync(rollout, cancellationToken).ConfigureAwait(false);
            var document = RolloutDocument.Parse(rollout.Document);
            var now = time.GetUtcNow();
            var e = make(now);
            var decision = RolloutDecider.Next(plan, document.State, now, [e]);
            if (decision.Ignored.FirstOrDefault(i => i.Event == e) is { Why: { } why })
            {
                return new RolloutAnswer(StatusCodes.Status409Conflict, rollout, Message: why);
            }

            if (e is RolloutEvent.Approved approved)
            {
                document = document with { ApprovedAt = document.ApprovedAt.SetItem(approved.Gate, now) };
            }

            var acted = new RolloutEventRecord { Rollout = name, At = now, Reason = action, Actor = actor, Message = Describe(e) };
            if (await SaveAsync(rollout, document, decision, [acted], actor, cancellationToken).ConfigureAwait(false) is { } saved)
            {
                Log.Acted(logger, name, action, actor);
                Wake();
                return new RolloutAnswer(StatusCodes.Status200OK, saved);
            }
        }

        return new RolloutAnswer(StatusCodes.Status409Conflict, Message: $"rollout {name} changed too often meanwhile; ask again");
    }

    /// <summary>
    /// The one rule of approving a gate, whoever asks (the API, the CLI, the dashboard, <c>/approve-rollout</c>
    /// on the rollout's pull request): <paramref name="gate"/> names a wave (<c>wave-1</c>) or its gate
    /// (<c>before-wave-1</c>), null the gate waiting now; <paramref name="actor"/> approves it when one
    /// of <paramref name="roles"/> is among the gate's approvers (<see cref="RolloutGate.IsApprover"/>),
    /// otherwise 403 naming the roles that may (200's message says which gate opened). Whether the actor may <c>approve</c> the environment's
    /// rollouts at all is the caller's question to the access policy, asked before.
    /// </summary>
    public async Task<RolloutAnswer> ApproveAsync(string name, string? gate, string actor, IReadOnlyList<string> roles, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(roles);
        if (await store.GetRolloutAsync(name, cancellationToken).ConfigureAwait(false) is not { } rollout)
        {
            return new RolloutAnswer(StatusCodes.Status404NotFound, Message: $"rollout '{name}' not found");
        }

        var plan = await PlanOfAsync(rollout, cancellationToken).ConfigureAwait(false);
        var state = RolloutDocument.Parse(rollout.Document).State;
        var gated = plan.Waves.Where(w => w.Gate is not null).ToList();
        var gates = string.Join(", ", gated.Select(w => w.GateId).DefaultIfEmpty("none"));
        RolloutWave? wave;
        if (gate is null)
        {
            wave = gated.FirstOrDefault(w => state.Sites.Any(s => s.Wave == w.Index && s.State == SiteRolloutState.WaitingForApproval));
            if (wave is null)
            {
                return new RolloutAnswer(StatusCodes.Status409Conflict, rollout, Message: $"no gate of rollout {name} waits for approval (its gates: {gates}); name one");
            }
        }
        else
        {
            wave = gated.FirstOrDefault(w => w.Name == gate || w.GateId == gate);
            if (wave is null)
            {
                return new RolloutAnswer(StatusCodes.Status400BadRequest, rollout, Field: "gate", Message: $"rollout {name} has no gate '{gate}' (its gates: {gates})");
            }
        }

        if (!roles.Any(wave.Gate!.IsApprover))
        {
            return new RolloutAnswer(StatusCodes.Status403Forbidden, rollout,
                Message: $"{actor} may not approve {wave.GateId} of rollout {name}: it takes one of the roles {string.Join(", ", wave.Gate.Approvers)} ({actor} holds {(roles.Count == 0 ? "none" : string.Join(", ", roles))})");
        }

        var id = wave.GateId;
        var answer = await ActAsync(name, "Approve", actor, at => new RolloutEvent.Approved(id, actor, [.. roles], at), cancellationToken).ConfigureAwait(false);
        return answer.Status == StatusCodes.Status200OK ? answer with { Message = $"{actor} approved {id} of rollout {name}" } : answer;
    }

    /// <summary>
    /// Writes <paramref name="decision"/>'s state into <paramref name="document"/> and the rollout,
    /// with <paramref name="first"/> and every transition as events, if the rollout is still at
    /// the version it was read at; the stored rollout, or null when another write came first.
    /// </summary>
    public async Task<RolloutRecord?> SaveAsync(RolloutRecord rollout, RolloutDocument document, RolloutDecision decision, IReadOnlyList<RolloutEventRecord> first, string? actor,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var updated = rollout with
        {
            Status = decision.State.Status.ToString(),
            Reason = decision.StatusChanges.Length > 0 ? decision.StatusChanges[^1].Message : rollout.Reason,
            Active = !decision.State.Done,
            Document = (document with { State = decision.State }).Serialize(),
            UpdatedAt = now,
            WakeAt = decision.WakeAt,
            Version = rollout.Version + 1,
        };
        var events = first.Concat(Events(rollout.Name, decision, actor)).ToList();
        if (!await store.UpdateRolloutAsync(updated, rollout.Version, events, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        if (updated.Active != rollout.Active)
        {
            _plans.TryRemove(rollout.Name, out _);
            Log.Finished(logger, rollout.Name, updated.Status);
        }

        Changed?.Invoke(updated);
        return updated;
    }

    /// <summary>Every site transition and status change of a step, in order, as events.</summary>
    private static IEnumerable<RolloutEventRecord> Events(string name, RolloutDecision decision, string? actor)
    {
        foreach (var t in decision.Transitions)
        {
            yield return new RolloutEventRecord { Rollout = name, At = t.At, Site = t.Site, From = t.From.ToString(), To = t.To.ToString(), Reason = t.Reason, Message = t.Message };
        }

        foreach (var s in decision.StatusChanges)
        {
            yield return new RolloutEventRecord { Rollout = name, At = s.At, From = s.From.ToString(), To = s.To.ToString(), Reason = s.Reason, Message = s.Message, Actor = actor };
        }
    }

    private static string Describe(RolloutEvent e) => e switch
    {
        RolloutEvent.Approved a => $"{a.Approver} approved {a.Gate} (holding {string.Join(", ", a.Roles)})",
        RolloutEvent.Paused p => $"paused by {p.By}",
        RolloutEvent.Resumed r => $"resumed by {r.By}",
        RolloutEvent.Aborted a => $"aborted by {a.By}: {a.Message}",
        RolloutEvent.RetryRequested r => $"{r.By} asked to retry {r.Site}",
        _ => e.ToString(),
    };

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Rollout {Name} of {Environment} to {Revision} started by {Actor}")]
        public static partial void Started(ILogger logger, string name, string environment, string revision, string actor);

        [LoggerMessage(Level = LogLevel.Information, Message = "Rollout {Name}: {Action} by {Actor}")]
        public static partial void Acted(ILogger logger, string name, string action, string actor);

        [LoggerMessage(Level = LogLevel.Information, Message = "Rollout {Name} finished: {Status}")]
        public static partial void Finished(ILogger logger, string name, string status);
    }
}
