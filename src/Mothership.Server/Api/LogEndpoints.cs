using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;
using Mothership.Engine.Status;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Model.Validation;
using Mothership.Store;

using Mothership.Cloud.Access;
using Mothership.Server.Access;
using Mothership.Server.Watching;

namespace Mothership.Server.Api;

/// <summary>
/// A run's logs: plain text (<c>[task/step] line</c>, as <c>mship run</c> prints them), with
/// <c>follow=true</c> server-sent events that continue until the run finishes, with
/// <c>format=json</c> one page of chunks at a time (the dashboard's viewer pages through a 50 MB
/// log this way), a search over one step's log, and a download. Logs are read from the store, so
/// any replica serves any run's logs, live; the followers of one run share one reader of the
/// store (<see cref="RunLogHub"/>).
/// </summary>
internal static class LogEndpoints
{
    private const string Kinds = "{kinds:regex(^(pipelineruns|taskruns)$)}";

    /// <summary>Chunks read per store call when streaming a whole log.</summary>
    private const int PageSize = 1000;

    /// <summary>Which part of a run's log a request wants.</summary>
    private sealed record LogFilter(string? Task, string? TaskRun, string? Container)
    {
        private const string LabelRule = "a pipeline task or step name: at most 63 lower-case letters, digits and '-'";
        private const string SubdomainRule = "lower-case letters, digits, '-' and '.'";

        /// <summary>The filter in the query, or a 400 problem: each part is a name of the form the object has.</summary>
        public static bool TryFrom(HttpRequest request, out LogFilter filter, [NotNullWhen(false)] out IResult? problem)
        {
            filter = new LogFilter(null, null, null);
            if (!ApiContext.TryName(request, "task", KubernetesNames.IsDns1123Label, LabelRule, out var task, out problem)
                || !ApiContext.TryName(request, "step", KubernetesNames.IsDns1123Label, LabelRule, out var step, out problem)
                || !ApiContext.TryName(request, "container", KubernetesNames.IsDns1123Subdomain, SubdomainRule, out var container, out problem)
                || !ApiContext.TryName(request, "taskRun", KubernetesNames.IsDns1123Subdomain, SubdomainRule, out var taskRun, out problem))
            {
                return false;
            }

            filter = new LogFilter(task, taskRun, container ?? (step is null ? null : ContainerNames.Step(step)));
            return true;
        }
    }

    /// <summary>A page of <c>format=json</c>: chunks after <c>afterId</c>, at most <c>limit</c> (1–1000, default 200) and about <c>maxLines</c> lines.</summary>
    private sealed record PageRequest(long AfterId, int Limit, long MaxLines)
    {
        public static bool TryFrom(HttpRequest request, out PageRequest page, [NotNullWhen(false)] out IResult? problem)
        {
            page = new PageRequest(0, 200, long.MaxValue);
            if (!ApiContext.TryNumber(request, "afterId", 0, long.MaxValue, out var afterId, out problem)
                || !ApiContext.TryNumber(request, "limit", 1, 1000, out var limit, out problem)
                || !ApiContext.TryNumber(request, "maxLines", 1, long.MaxValue, out var maxLines, out problem))
            {
                return false;
            }

            page = new PageRequest(afterId ?? 0, (int)(limit ?? 200), maxLines ?? long.MaxValue);
            return true;
        }
    }

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet($"/{Kinds}/{{name}}/logs", LogsAsync).RequireAccess(AccessResources.Runs, AccessActions.Get, AccessObjects.Run());
        api.MapGet($"/{Kinds}/{{name}}/logs/search", SearchAsync).RequireAccess(AccessResources.Runs, AccessActions.Get, AccessObjects.Run());
    }

    private static async Task LogsAsync(string kinds, string name, HttpContext context, IRunStore store, RunLogHub logs, CancellationToken ct)
    {
        var kind = ApiContext.RunKind(kinds)!;
        var query = context.Request.Query;
        if (!LogFilter.TryFrom(context.Request, out var filter, out var problem)
            || !ApiContext.TryBool(context.Request, "follow", out var follow, out problem)
            || !ApiContext.TryBool(context.Request, "download", out var download, out problem))
        {
            await problem.ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        if (query["format"].ToString() is { Length: > 0 } format && format is not ("json" or "text"))
        {
            await Problems.BadRequest($"format: {KubernetesNames.Quote(format)} is neither json nor text").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        if (!PageRequest.TryFrom(context.Request, out var page, out problem))
        {
            await problem.ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        var run = await store.GetRunAsync(kind, name, ct).ConfigureAwait(false);
        if (run is null)
        {
            await Problems.NotFound($"{kind} '{name}'").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        if (query["format"] == "json")
        {
            await JsonPageAsync(run, kind, filter, page, context, store, ct).ConfigureAwait(false);
            return;
        }

        var sse = follow == true || context.Request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.Ordinal);
        var response = context.Response;
        response.ContentType = sse ? "text/event-stream" : "text/plain; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        if (download == true && !sse)
        {
            response.Headers.ContentDisposition = Attachment(string.Join('-', new[] { run.Name, filter.Task ?? filter.TaskRun, filter.Container }.OfType<string>()) + ".log");
        }

        long after = long.TryParse(context.Request.Headers["Last-Event-ID"].ToString(), out var last) ? last : 0;
        var tasks = TaskNames(run);

        // Writes the chunks after `after` that the filter selects; false when none was new.
        async Task WriteAsync(IReadOnlyList<StoredLogChunk> chunks)
        {
            if (kind != "TaskRun" && chunks.Any(c => c.Id > after && Unnamed(c.Chunk, tasks)))
            {
                run = await store.GetRunByUidAsync(run.Uid, ct).ConfigureAwait(false) ?? run;
                tasks = TaskNames(run);
            }

            var text = new StringBuilder();
            foreach (var (id, chunk) in chunks)
            {
                if (id <= after)
                {
                    continue;
                }

                after = id;
                var pipelineTask = PipelineTask(chunk, tasks);
                if ((filter.Task is not null && pipelineTask != filter.Task) || (filter.TaskRun is not null && chunk.TaskRun != filter.TaskRun)
                    || (filter.Container is not null && chunk.Container != filter.Container))
                {
                    continue;
                }

                var lines = chunk.Text.Split('\n');
                if (sse)
                {
                    var data = ChunkJson(id, chunk, kind == "TaskRun" ? null : pipelineTask, lines[..^1]);
                    text.Append("id: ").Append(id).Append("\nevent: log\ndata: ").Append(data.ToJsonString()).Append("\n\n");
                }
                else
                {
                    var prefix = LogPrefix.Of(pipelineTask, chunk.Container);
                    foreach (var line in lines[..^1])
                    {
                        text.Append(prefix).Append(line).Append('\n');
                    }
                }
            }

            if (text.Length > 0)
            {
                await response.WriteAsync(text.ToString(), ct).ConfigureAwait(false);
                await response.Body.FlushAsync(ct).ConfigureAwait(false);
            }
        }

        // Everything stored now, a page at a time.
        async Task CatchUpAsync()
        {
            IReadOnlyList<StoredLogChunk> chunks;
            do
            {
                chunks = await store.ReadLogsAsync(new LogQuery { Uid = run.Uid, AfterId = after, TaskRun = filter.TaskRun, Container = filter.Container, Limit = PageSize }, ct)
                    .ConfigureAwait(false);
                // Moves `after` past what the filter skipped too, so the next page starts after it.
                await WriteAsync(chunks).ConfigureAwait(false);
            }
            while (chunks.Count == PageSize);
        }

        Task EndAsync(string? status, string? reason) =>
            response.WriteAsync($"event: end\ndata: {new JsonObject { ["status"] = status ?? run.Status, ["reason"] = reason ?? run.Reason }.ToJsonString()}\n\n", ct);

        if (!sse)
        {
            await CatchUpAsync().ConfigureAwait(false);
            return;
        }

        // Followed: subscribed to the run's shared tail first, then up to the present from the
        // store, then what the tail hands out (what this follower has already is skipped by id).
        // A follower that fell behind is dropped by the tail and comes back here.
        while (true)
        {
            var feed = logs.Subscribe(run.Uid, after, ct);
            // The phase before the logs: a run seen finished has all its lines stored.
            var summary = await store.GetRunSummaryAsync(run.Uid, ct).ConfigureAwait(false);
            await CatchUpAsync().ConfigureAwait(false);
            if (summary is null || summary.Phase == RunPhase.Finished)
            {
                await EndAsync(summary?.Status, summary?.Reason).ConfigureAwait(false);
                return;
            }

            await foreach (var batch in feed.ReadAllAsync(ct).ConfigureAwait(false))
            {
                await WriteAsync(batch.Chunks).ConfigureAwait(false);
                if (batch.Ended)
                {
                    await EndAsync(batch.Status, batch.Reason).ConfigureAwait(false);
                    return;
                }
            }
        }
    }

    /// <summary>
    /// <c>Content-Disposition: attachment</c> with the file name made safe for a header and a file
    /// system (letters, digits, '-', '_' and '.'; anything else, controls and separators included,
    /// becomes '_'), as an ASCII <c>filename</c> and a UTF-8 <c>filename*</c> (RFC 6266).
    /// </summary>
    internal static string Attachment(string fileName)
    {
        var safe = new StringBuilder(fileName.Length);
        foreach (var c in fileName)
        {
            safe.Append(char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        }

        var name = safe.ToString().TrimStart('.');
        var header = new ContentDispositionHeaderValue("attachment");
        header.SetHttpFileName(name.Length > 0 ? name : "log");
        return header.ToString();
    }

    /// <summary>One page of chunks after <c>afterId</c>: the viewer loads pages as the reader scrolls.</summary>
    private static async Task JsonPageAsync(RunRecord run, string kind, LogFilter filter, PageRequest page, HttpContext context, IRunStore store, CancellationToken ct)
    {
        var after = page.AfterId;
        var limit = page.Limit;
        // Read the phase first: if the run was finished then, a short page is the end of its log.
        var finished = run.Phase == RunPhase.Finished;
        // maxLines bounds a page by lines whatever the chunks' sizes: a viewer asks for a screenful
        // or two, not for 1,000 chunks of a chatty step. Chunks are read a few at a time, so a
        // page of 2,000 lines reads about 2,000 lines (always at least one chunk, so paging moves on).
        var maxLines = page.MaxLines;
        var chunks = new List<StoredLogChunk>();
        long lineCount = 0;
        var exhausted = false;
        while (chunks.Count < limit && lineCount < maxLines && !exhausted)
        {
            var want = maxLines == long.MaxValue ? limit - chunks.Count : Math.Min(limit - chunks.Count, 8);
            var read = await store.ReadLogsAsync(new LogQuery
            {
                Uid = run.Uid, AfterId = chunks.Count > 0 ? chunks[^1].Id : after, TaskRun = filter.TaskRun, Container = filter.Container, Limit = want,
            }, ct).ConfigureAwait(false);
            exhausted = read.Count < want;
            foreach (var c in read)
            {
                if (chunks.Count > 0 && lineCount >= maxLines)
                {
                    exhausted = false;
                    break;
                }

                chunks.Add(c);
                lineCount += c.Chunk.Text.Count(ch => ch == '\n');
            }
        }

        // A TaskRun the run object did not name yet started after it was read: read the run again.
        var tasks = TaskNames(run);
        if (kind != "TaskRun" && chunks.Any(c => Unnamed(c.Chunk, tasks)))
        {
            tasks = TaskNames(await store.GetRunByUidAsync(run.Uid, ct).ConfigureAwait(false) ?? run);
        }
        var items = new JsonArray();
        foreach (var (id, chunk) in chunks)
        {
            var pipelineTask = PipelineTask(chunk, tasks);
            if (filter.Task is null || pipelineTask == filter.Task)
            {
                items.Add(ChunkJson(id, chunk, kind == "TaskRun" ? null : pipelineTask, chunk.Text.Split('\n')[..^1]));
            }
        }

        await Results.Text(new JsonObject
        {
            ["chunks"] = items,
            ["nextAfterId"] = chunks.Count > 0 ? chunks[^1].Id : after,
            ["finished"] = finished && exhausted,
        }.ToJsonString(), "application/json").ExecuteAsync(context).ConfigureAwait(false);
    }

    /// <summary>Lines of one step's log matching a text or a regular expression, with their line numbers.</summary>
    private static async Task<IResult> SearchAsync(string kinds, string name, HttpContext context, IRunStore store, CancellationToken ct)
    {
        const int maxMatches = 1000;
        var kind = ApiContext.RunKind(kinds)!;
        if (!LogFilter.TryFrom(context.Request, out var filter, out var problem) || !ApiContext.TryBool(context.Request, "regex", out var regex, out problem))
        {
            return problem;
        }

        var q = context.Request.Query["q"].ToString();
        var run = await store.GetRunAsync(kind, name, ct).ConfigureAwait(false);
        if (run is null)
        {
            return Problems.NotFound($"{kind} '{name}'");
        }

        if (string.IsNullOrEmpty(q))
        {
            return Problems.BadRequest("q: give the text to search for");
        }

        Func<string, bool> matches;
        if (regex == true)
        {
            try
            {
                var pattern = new Regex(q, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
                matches = pattern.IsMatch;
            }
            catch (ArgumentException e)
            {
                return Problems.BadRequest($"q: not a regular expression: {e.Message}");
            }
        }
        else
        {
            matches = line => line.Contains(q, StringComparison.OrdinalIgnoreCase);
        }

        var found = new JsonArray();
        var truncated = false;
        long after = 0;
        try
        {
            while (!truncated)
            {
                var chunks = await store.ReadLogsAsync(new LogQuery { Uid = run.Uid, AfterId = after, TaskRun = filter.TaskRun, Container = filter.Container, Limit = PageSize }, ct)
                    .ConfigureAwait(false);
                foreach (var (id, chunk) in chunks)
                {
                    after = id;
                    var lines = chunk.Text.Split('\n');
                    for (var i = 0; i < lines.Length - 1 && !truncated; i++)
                    {
                        if (matches(lines[i]))
                        {
                            found.Add(new JsonObject { ["line"] = chunk.FirstLine + i, ["text"] = lines[i], ["taskRun"] = chunk.TaskRun, ["step"] = LogPrefix.StepName(chunk.Container) });
                            truncated = found.Count >= maxMatches;
                        }
                    }
                }

                if (chunks.Count < PageSize)
                {
                    break;
                }
            }
        }
        catch (RegexMatchTimeoutException)
        {
            return Problems.BadRequest("q: the regular expression takes too long on this log");
        }

        return Results.Text(new JsonObject { ["matches"] = found, ["truncated"] = truncated }.ToJsonString(), "application/json");
    }

    private static JsonObject ChunkJson(long id, LogChunk chunk, string? pipelineTask, IEnumerable<string> lines) => new()
    {
        ["id"] = id,
        ["taskRun"] = chunk.TaskRun,
        ["pipelineTask"] = pipelineTask,
        ["step"] = LogPrefix.StepName(chunk.Container),
        ["container"] = chunk.Container,
        ["attempt"] = chunk.Attempt,
        ["firstLine"] = chunk.FirstLine,
        ["lines"] = new JsonArray([.. lines.Select(l => (JsonNode)JsonValue.Create(l))]),
    };

    /// <summary>
    /// The pipeline task of a chunk: as stored with it, else (chunks stored before the store kept
    /// it) from the run object's child references, else the TaskRun's name.
    /// </summary>
    private static string PipelineTask(LogChunk chunk, Dictionary<string, string> tasks) =>
        chunk.PipelineTask ?? tasks.GetValueOrDefault(chunk.TaskRun, chunk.TaskRun);

    /// <summary>Whether a chunk's pipeline task is known neither from the chunk nor from the run object read.</summary>
    private static bool Unnamed(LogChunk chunk, Dictionary<string, string> tasks) => chunk.PipelineTask is null && !tasks.ContainsKey(chunk.TaskRun);

    /// <summary>TaskRun name → pipeline task name, from the run object's child references.</summary>
    private static Dictionary<string, string> TaskNames(RunRecord run)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (run.Object is { } text && JsonNode.Parse(text)?["status"]?["childReferences"] is JsonArray children)
        {
            foreach (var c in children.OfType<JsonObject>())
            {
                if ((string?)c["name"] is { } n && (string?)c["pipelineTaskName"] is { } p)
                {
                    map[n] = p;
                }
            }
        }

        return map;
    }
}
