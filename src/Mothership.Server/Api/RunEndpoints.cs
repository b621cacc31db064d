using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Mothership.Engine.Status;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Model.Validation;
using Mothership.Cloud.Access;
using Mothership.Server.Access;
using Mothership.Server.Hosting;
using Mothership.Server.Runs;
using Mothership.Server.Watching;
using Mothership.Store;

namespace Mothership.Server.Api;

/// <summary>PipelineRuns and TaskRuns: create, list, get, cancel, start, rerun, delete, events; prune and audit.</summary>
internal static class RunEndpoints
{
    private const string Kinds = "{kinds:regex(^(pipelineruns|taskruns)$)}";

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapPost($"/{Kinds}", CreateAsync).RequireAccess(AccessResources.Runs, AccessActions.Create, AccessObjects.RunInBody());
        // Filtered by get on each run's object (ListAsync), not refused.
        api.MapGet($"/{Kinds}", ListAsync).WithMetadata(new AccessRequiredMetadata());
        api.MapGet($"/{Kinds}/{{name}}", GetAsync).RequireAccess(AccessResources.Runs, AccessActions.Get, AccessObjects.Run());
        api.MapDelete($"/{Kinds}/{{name}}", DeleteAsync).RequireAccess(AccessResources.Runs, AccessActions.Delete, AccessObjects.Run());
        api.MapPost($"/{Kinds}/{{name}}/cancel", CancelAsync).RequireAccess(AccessResources.Runs, AccessActions.Cancel, AccessObjects.Run());
        // Releasing a pending run lets it go on, as an approval does.
        api.MapPost($"/{Kinds}/{{name}}/start", StartAsync).RequireAccess(AccessResources.Runs, AccessActions.Approve, AccessObjects.Run());
        api.MapPost($"/{Kinds}/{{name}}/rerun", RerunAsync).RequireAccess(AccessResources.Runs, AccessActions.Rerun, AccessObjects.Run());
        // The run's changes pushed (SSE) instead of polled: as readable as the run itself.
        api.MapGet($"/{Kinds}/{{name}}/watch", WatchAsync).RequireAccess(AccessResources.Runs, AccessActions.Get, AccessObjects.Run());
        api.MapGet($"/{Kinds}/{{name}}/events", EventsAsync).RequireAccess(AccessResources.Runs, AccessActions.Get, AccessObjects.Run());
        api.MapGet("/pipelineruns/{name}/graph", GraphAsync).RequireAccess(AccessResources.Runs, AccessActions.Get, AccessObjects.Run(nameof(PipelineRun)));
        // Pruning deletes runs of any site: only a rule whose object is * (every object) allows it.
        api.MapPost("/prune", PruneAsync).RequireAccess(AccessResources.Runs, AccessActions.Delete, AccessObjects.Fixed(AllObjects));
        api.MapGet("/audit", AuditAsync).RequireAccess(AccessResources.Settings, AccessActions.Get, AccessObjects.Fixed(AccessObjects.Settings));
    }

    /// <summary>The object of a request about every object (pruning): matched only by a rule whose OBJECT glob matches <c>*</c>.</summary>
    private const string AllObjects = "*";

    private static async Task<IResult> AuditAsync(HttpContext context, IRunStore store, CancellationToken ct)
    {
        if (!ApiContext.TryNumber(context.Request, "limit", 1, 1000, out var limit, out var problem))
        {
            return problem;
        }

        var items = await store.ListAuditAsync((int)(limit ?? 100), ct).ConfigureAwait(false);
        return Results.Json(new
        {
            items = items.Select(a => new
            {
                time = RunObjectWriter.Time(a.Time), actor = a.Actor, action = a.Action, kind = a.Kind, name = a.Name, uid = a.Uid, detail = a.Detail,
            }),
        });
    }

    private static async Task<IResult> CreateAsync(string kinds, HttpContext context, RunIntake intake, RunController controller, RunGraphCache graphs, CancellationToken ct)
    {
        var kind = ApiContext.RunKind(kinds)!;
        var body = await ApiContext.BodyAsync(context.Request, ct).ConfigureAwait(false);
        var result = await intake.CreateAsync(kind, body, ApiContext.Actor(context), ct).ConfigureAwait(false);
        if (result.NameTaken)
        {
            return Problems.Conflict($"a {kind} with that name exists; use metadata.generateName for unique names");
        }

        if (result.Run is not { } run)
        {
            return Problems.Invalid(result.Diagnostics);
        }

        if (result.Pipeline is { } pipeline)
        {
            // Its first graph request (a dashboard opening it now) is drawn from the pipeline just validated, not read again from the manifest.
            graphs.Prime(run.Uid, pipeline);
        }

        controller.Wake();
        return Results.Text(ObjectOf(run).ToJsonString(), "application/json", statusCode: StatusCodes.Status201Created);
    }

    /// <summary>The run object: as the engine last wrote it, or built from the manifest when not started yet.</summary>
    public static JsonObject ObjectOf(RunRecord run)
    {
        if (run.Object is { } text)
        {
            return JsonNode.Parse(text)!.AsObject();
        }

        var manifest = RunManifest.Load(run);
        return RunSecrets.Masker(manifest.Resources, manifest.Run).Mask(RunObjects.NotStarted(run, manifest.Run));
    }

    private static async Task<IResult> GetAsync(string kinds, string name, HttpContext context, IRunStore store, CancellationToken ct)
    {
        var kind = ApiContext.RunKind(kinds)!;
        if (await ApiContext.RunAsync(context, store, kind, name, ct).ConfigureAwait(false) is { } run)
        {
            // The stored object as it is (it is the engine's JSON): parsed and written again only when built here.
            return run.Object is { } stored ? Results.Text(stored, "application/json") : Results.Text(ObjectOf(run).ToJsonString(), "application/json");
        }

        if (kind == nameof(TaskRun))
        {
            foreach (var parent in ChildTaskRuns.ParentCandidates(name))
            {
                // A PipelineRun that never started (no run object yet) made no TaskRuns: its manifest is not loaded for nothing.
                if (await store.GetRunAsync(nameof(PipelineRun), parent, ct).ConfigureAwait(false) is { Object: { } text } pipelineRun
                    && ChildTaskRuns.Find(pipelineRun, JsonNode.Parse(text)!.AsObject(), name) is { } child)
                {
                    return Results.Text(child.ToJsonString(), "application/json");
                }
            }
        }

        return Problems.NotFound($"{kind} '{name}'");
    }

    private static async Task<IResult> ListAsync(string kinds, HttpContext context, IRunStore store, TimeProvider time, ServerAccess access, CancellationToken ct)
    {
        var view = await access.CurrentAsync(ct).ConfigureAwait(false);
        var q = context.Request.Query;
        var query = new RunQuery { Kind = ApiContext.RunKind(kinds) };
        if (q["pipeline"].ToString() is { Length: > 0 } pipeline)
        {
            query = query with { Pipeline = pipeline };
        }

        // TaskRuns are listed with the TaskRuns PipelineRuns made (ChildTaskRuns): the store is
        // asked for runs of both kinds, and status and phase, which a child has apart from its
        // PipelineRun, are checked on each row here.
        var withChildren = query.Kind == nameof(TaskRun);
        var reasonFilter = (IReadOnlySet<string>?)null;
        if (q["status"].ToString() is { Length: > 0 } status)
        {
            if (!StatusFilter.TryParse(status, out var reasons, out var error))
            {
                return Problems.BadRequest(error);
            }

            query = query with { Reasons = withChildren ? [] : reasons };
            reasonFilter = reasons.ToHashSet(StringComparer.Ordinal);
        }

        var phaseFilter = (string?)null;
        if (q["phase"].ToString() is { Length: > 0 } phase)
        {
            // By name only: Enum.TryParse would also take "1" and "Running,Queued" (bit flags of an enum that has none).
            if (Enum.GetNames<RunPhase>().FirstOrDefault(n => n.Equals(phase, StringComparison.OrdinalIgnoreCase)) is not { } known)
            {
                return Problems.BadRequest($"phase: {KubernetesNames.Quote(phase)} is not one of {string.Join(", ", Enum.GetNames<RunPhase>())}");
            }

            query = query with { Phase = withChildren ? null : Enum.Parse<RunPhase>(known) };
            phaseFilter = known;
        }

        if (q["labelSelector"].ToString() is { Length: > 0 } selector)
        {
            if (!LabelSelector.TryParse(selector, out var requirements, out var error))
            {
                return Problems.BadRequest(error);
            }

            query = query with { Labels = requirements };
        }

        foreach (var (key, apply) in new (string, Func<DateTimeOffset, RunQuery>)[] { ("since", t => query with { Since = t }), ("until", t => query with { Until = t }) })
        {
            if (q[key].ToString() is { Length: > 0 } text)
            {
                if (!TryTime(text, time.GetUtcNow(), out var t))
                {
                    return Problems.BadRequest($"{key}: '{text}' is neither an RFC 3339 time nor a duration such as 24h");
                }

                query = apply(t);
            }
        }

        if (q["limit"].ToString() is { Length: > 0 } limitText)
        {
            if (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit is < 1 or > 500)
            {
                return Problems.BadRequest($"limit: '{limitText}' is not a number from 1 to 500");
            }

            query = query with { Limit = limit };
        }

        query = query with { Cursor = q["cursor"].ToString() is { Length: > 0 } c ? c : null, Kind = withChildren ? null : query.Kind };
        RunPage page;
        try
        {
            page = await store.ListRunsAsync(query, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            // The store checks what the endpoint passes through: the cursor and the selector's values.
            return Problems.BadRequest(e.Message.Contains("cursor", StringComparison.OrdinalIgnoreCase)
                ? "cursor: not a cursor this server returned" : e.Message);
        }

        var items = new List<JsonObject>();
        // A page may hold fewer rows than the limit once filtered; its cursor still leads to the rest.
        foreach (var item in page.Items.Where(i => AccessRequirements.MayGet(context, view, AccessResources.Runs, ServerAccess.RunObject(view, i))))
        {
            if (!withChildren || item.Kind == nameof(TaskRun))
            {
                items.Add(RunObjects.Summary(item));
            }
            else if (await store.GetRunByUidAsync(item.Uid, ct).ConfigureAwait(false) is { Object: { } text })
            {
                items.AddRange(ChildTaskRuns.Summaries(item, JsonNode.Parse(text)!.AsObject()));
            }
        }

        if (withChildren)
        {
            // A page may hold fewer rows than the limit; its cursor still leads to the rest.
            items.RemoveAll(i => (reasonFilter is not null && !reasonFilter.Contains((string?)i["reason"] ?? ""))
                || (phaseFilter is not null && (string?)i["phase"] != phaseFilter));
        }

        return Results.Text(new JsonObject
        {
            ["items"] = new JsonArray([.. items]),
            ["nextCursor"] = page.NextCursor,
        }.ToJsonString(), "application/json");
    }

    /// <summary>An RFC 3339 time, or a duration meaning that long ago (<c>24h</c>, <c>30m</c>).</summary>
    private static bool TryTime(string text, DateTimeOffset now, out DateTimeOffset time)
    {
        if (GoDuration.TryParse(text, out var ago))
        {
            time = now - ago;
            return true;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);
    }

    private static async Task<IResult> CancelAsync(string kinds, string name, HttpContext context, IRunStore store, RunController controller, CancellationToken ct)
    {
        var kind = ApiContext.RunKind(kinds)!;
        var run = await ApiContext.RunSummaryAsync(context, store, kind, name, ct).ConfigureAwait(false);
        if (run is null)
        {
            return Problems.NotFound($"{kind} '{name}'");
        }

        string request = SpecStatus.Cancelled;
        if (context.Request.ContentLength is > 0)
        {
            var body = await ApiContext.BodyAsync(context.Request, ct).ConfigureAwait(false);
            try
            {
                request = (string?)JsonNode.Parse(body)?["status"] ?? request;
            }
            catch (System.Text.Json.JsonException e)
            {
                return Problems.BadRequest($"body: not JSON ({e.Message}); send {{\"status\": \"Cancelled\"}}");
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException)
            {
                // A body that is no object, a status that is no string, or a key given twice: a request as unknown as a misspelt one.
                return Problems.BadRequest("body: not an object with one string status; send {\"status\": \"Cancelled\"}");
            }
        }

        IReadOnlyList<string> allowed = kind == nameof(PipelineRun) ? SpecStatus.CancelRequests : [SpecStatus.Cancelled];
        if (!allowed.Contains(request))
        {
            return Problems.BadRequest($"status: {KubernetesNames.Quote(request)} is not one of {string.Join(", ", allowed)}");
        }

        if (run.Phase == RunPhase.Finished)
        {
            return Problems.Conflict($"{kind} '{name}' has already finished ({run.Reason})");
        }

        if (!await controller.CancelAsync(run, request, ApiContext.Actor(context), ct).ConfigureAwait(false))
        {
            return Problems.Conflict($"{kind} '{name}' has already finished");
        }

        return Results.Accepted(value: new { kind, name, status = request });
    }

    private static async Task<IResult> StartAsync(string kinds, string name, HttpContext context, IRunStore store, RunController controller, CancellationToken ct)
    {
        var kind = ApiContext.RunKind(kinds)!;
        var run = await ApiContext.RunSummaryAsync(context, store, kind, name, ct).ConfigureAwait(false);
        if (run is null)
        {
            return Problems.NotFound($"{kind} '{name}'");
        }

        if (!await store.ReleasePendingAsync(run.Uid, ApiContext.Actor(context), ct).ConfigureAwait(false))
        {
            return Problems.Conflict($"{kind} '{name}' is not pending ({run.Phase})");
        }

        controller.Wake();
        return Results.Accepted(value: new { kind, name, phase = nameof(RunPhase.Queued) });
    }

    private static async Task<IResult> RerunAsync(string kinds, string name, HttpContext context, IRunStore store, RunIntake intake, RunController controller, CancellationToken ct)
    {
        var kind = ApiContext.RunKind(kinds)!;
        var fromFailed = false;
        if (context.Request.ContentLength is not 0)
        {
            var body = await ApiContext.BodyAsync(context.Request, ct).ConfigureAwait(false);
            if (!RerunRequest.TryParse(body, out fromFailed, out var error))
            {
                return Problems.BadRequest(error);
            }
        }

        var run = await store.GetRunAsync(kind, name, ct).ConfigureAwait(false);
        if (run is null)
        {
            return Problems.NotFound($"{kind} '{name}'");
        }

        RunRecord? copy;
        if (fromFailed)
        {
            var rerun = await intake.RerunFromFailedAsync(run, ApiContext.Actor(context), ct).ConfigureAwait(false);
            if (rerun.Refusal == RerunRefusal.NotApplicable)
            {
                return Problems.BadRequest(rerun.Message);
            }

            if (rerun.Run is null)
            {
                return Problems.Conflict(rerun.Message);
            }

            copy = rerun.Run;
        }
        else
        {
            copy = await intake.RerunAsync(run, ApiContext.Actor(context), ct).ConfigureAwait(false);
            if (copy is null)
            {
                return Problems.Conflict("the generated name is taken; try again");
            }
        }

        controller.Wake();
        return Results.Text(ObjectOf(copy).ToJsonString(), "application/json", statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> DeleteAsync(string kinds, string name, HttpContext context, IRunStore store, RunLeftovers leftovers, CancellationToken ct)
    {
        var kind = ApiContext.RunKind(kinds)!;
        var run = await ApiContext.RunSummaryAsync(context, store, kind, name, ct).ConfigureAwait(false);
        if (run is null)
        {
            return Problems.NotFound($"{kind} '{name}'");
        }

        if (run.Phase is RunPhase.Running or RunPhase.Queued)
        {
            return Problems.Conflict($"{kind} '{name}' is {run.Phase.ToString().ToLowerInvariant()}: cancel it first");
        }

        await store.DeleteRunAsync(run.Uid, ApiContext.Actor(context), ct).ConfigureAwait(false);
        await leftovers.ReleaseAsync([(run.Uid, run.Name)], ct).ConfigureAwait(false);
        return Results.Json(new { kind, name, deleted = true });
    }

    /// <summary>
    /// The DAG with each task's state and the critical path (<see cref="RunGraph"/>): the same bytes
    /// for every viewer until the run changes (<see cref="RunGraphCache"/>), 304 for an
    /// <c>If-None-Match</c> that names them.
    /// </summary>
    private static async Task<IResult> GraphAsync(string name, HttpContext context, IRunStore store, RunGraphCache graphs, CancellationToken ct)
    {
        // The summary names the stored object's version: a graph cached for it is served without reading the object.
        var run = await ApiContext.RunSummaryAsync(context, store, nameof(PipelineRun), name, ct).ConfigureAwait(false);
        if (run is null)
        {
            return Problems.NotFound($"PipelineRun '{name}'");
        }

        if (await graphs.GetAsync(run, store, ct).ConfigureAwait(false) is not { } graph)
        {
            return await store.GetRunSummaryAsync(run.Uid, ct).ConfigureAwait(false) is null
                ? Problems.NotFound($"PipelineRun '{name}'")
                : Problems.Of(StatusCodes.Status500InternalServerError, "Unreadable run", $"PipelineRun '{name}' has no readable pipeline spec");
        }

        context.Response.Headers.ETag = graph.ETag;
        if (context.Request.Headers.IfNoneMatch.Contains(graph.ETag))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(graph.Bytes, "application/json");
    }

    /// <summary>
    /// The run's changes as server-sent events (<see cref="RunWatchHub"/>): its state now, then each
    /// change, until it has finished. Every viewer of a run shares one reader of the store.
    /// </summary>
    private static async Task WatchAsync(string kinds, string name, HttpContext context, IRunStore store, RunWatchHub watches, CancellationToken ct)
    {
        var kind = ApiContext.RunKind(kinds)!;
        var run = await ApiContext.RunAsync(context, store, kind, name, ct).ConfigureAwait(false);
        if (run is null)
        {
            await Problems.NotFound($"{kind} '{name}'").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        // A dropped stream (a viewer too far behind, a restart) is reconnected by EventSource after this long.
        await response.WriteAsync("retry: 2000\n\n", ct).ConfigureAwait(false);
        await response.Body.FlushAsync(ct).ConfigureAwait(false);
        var frames = watches.Subscribe(run, ct);
        try
        {
            while (await frames.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                while (frames.TryRead(out var frame))
                {
                    await response.Body.WriteAsync(frame, ct).ConfigureAwait(false);
                }

                await response.Body.FlushAsync(ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The viewer left.
        }
    }

    private static async Task<IResult> EventsAsync(string kinds, string name, HttpContext context, IRunStore store, CancellationToken ct)
    {
        var run = await ApiContext.RunSummaryAsync(context, store, ApiContext.RunKind(kinds)!, name, ct).ConfigureAwait(false);
        if (run is null)
        {
            return Problems.NotFound($"{ApiContext.RunKind(kinds)} '{name}'");
        }

        var events = await store.ListEventsAsync(run.Uid, ct).ConfigureAwait(false);
        return Results.Json(new { items = events.Select(e => new { time = RunObjectWriter.Time(e.Time), type = e.Type, reason = e.Reason, message = e.Message }) });
    }

    /// <summary>Applies the retention policy now: the configured one, or the one in the body (same fields as configuration).</summary>
    private static async Task<IResult> PruneAsync(HttpContext context, IRunStore store, RunLeftovers leftovers, IOptions<ServerOptions> options, TimeProvider time, CancellationToken ct)
    {
        if (!ApiContext.TryBool(context.Request, "dryRun", out var dryRun, out var problem))
        {
            return problem;
        }

        var policy = options.Value.Retention.ToPolicy();
        if (context.Request.ContentLength is > 0)
        {
            var body = await ApiContext.BodyAsync(context.Request, ct).ConfigureAwait(false);
            if (!RetentionJson.TryParse(body, out var parsed, out var error))
            {
                return Problems.BadRequest(error);
            }

            policy = parsed!;
        }

        var result = await store.PruneAsync(policy, time.GetUtcNow(), dryRun ?? false, ct).ConfigureAwait(false);
        if (dryRun is not true)
        {
            await leftovers.ReleaseAsync(result.Runs.Select(r => (r.Uid, r.Name)), ct).ConfigureAwait(false);
        }

        return Results.Text(new JsonObject
        {
            ["dryRun"] = dryRun ?? false,
            ["deleted"] = new JsonArray([.. result.Runs.Select(r => (JsonNode)RunObjects.Summary(r))]),
            ["logChunks"] = result.LogChunks,
            ["deliveries"] = result.Deliveries,
        }.ToJsonString(), "application/json");
    }
}

/// <summary>A retention policy as JSON: <c>{"keepLast": 10, "maxAge": "720h", "failedMaxAge": "2160h", "pipelines": {"p": {...}}}</c>.</summary>
public static class RetentionJson
{
    private static readonly string[] RuleFields = ["keepLast", "keepLastFailed", "maxAge", "failedMaxAge"];

    /// <summary>Reads a policy; any other shape (unknown or repeated fields, wrong types) is an error naming the field, never an exception.</summary>
    public static bool TryParse(string text, out RetentionPolicy? policy, out string error)
    {
        policy = null;
        error = "";
        try
        {
            var o = JsonNode.Parse(text) as JsonObject ?? throw new FormatException("the body must be a JSON object");
            var pipelines = ImmutableDictionary.CreateBuilder<string, RetentionRule>(StringComparer.Ordinal);
            switch (o["pipelines"])
            {
                case null:
                    break;
                case JsonObject per:
                    foreach (var (name, rule) in per)
                    {
                        if (!KubernetesNames.IsTektonName(name))
                        {
                            throw new FormatException($"pipelines: {KubernetesNames.Quote(name)} is not a Pipeline name");
                        }

                        pipelines[name] = Rule(rule as JsonObject ?? throw new FormatException($"pipelines.{name}: must be an object of rules"), $"pipelines.{name}.", RuleFields);
                    }

                    break;
                default:
                    throw new FormatException("pipelines: must be an object of rules by Pipeline name");
            }

            policy = new RetentionPolicy
            {
                SucceededStatus = ConditionStatus.True, FailedStatus = ConditionStatus.False, Default = Rule(o, "", [.. RuleFields, "pipelines"]), Pipelines = pipelines.ToImmutable(),
            };
            return true;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            // ArgumentException: a field given twice, found when the object is first read.
            error = $"retention policy: {e.Message}";
            return false;
        }
    }

    private static RetentionRule Rule(JsonObject o, string prefix, IReadOnlyCollection<string> fields)
    {
        if (o.Select(kv => kv.Key).FirstOrDefault(k => !fields.Contains(k)) is { } unknown)
        {
            throw new FormatException($"{prefix}{KubernetesNames.Quote(unknown)}: unknown field; use {string.Join(", ", fields)}");
        }

        return new RetentionRule
        {
            KeepLast = Count(o, "keepLast", prefix),
            KeepLastFailed = Count(o, "keepLastFailed", prefix),
            MaxAge = Age(o, "maxAge", prefix),
            FailedMaxAge = Age(o, "failedMaxAge", prefix),
        };
    }

    private static int? Count(JsonObject o, string name, string prefix)
    {
        if (o[name] is not { } n)
        {
            return null;
        }

        return n is JsonValue v && v.TryGetValue<int>(out var count) && count >= 0
            ? count
            : throw new FormatException($"{prefix}{name}: must be a whole number, 0 or more");
    }

    private static TimeSpan? Age(JsonObject o, string name, string prefix)
    {
        if (o[name] is not { } n)
        {
            return null;
        }

        return n is JsonValue v && v.TryGetValue<string>(out var text) && GoDuration.TryParse(text, out var d) && d > TimeSpan.Zero
            ? d
            : throw new FormatException($"{prefix}{name}: {KubernetesNames.Quote(n.ToJsonString())} is not a duration such as 720h");
    }
}
