using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Mothership.Testing.Kubernetes.Kubelet;
using Mothership.Testing.Kubernetes.Schemas;

namespace Mothership.Testing.Kubernetes;

/// <summary>
/// The REST surface: routes <c>/api/v1/…</c> requests to the store and the kubelet and answers in
/// Kubernetes' wire format, every error as a V1Status.
/// </summary>
internal sealed class ApiHandler(
    ApiObjects objects, FakeApiFaults faults, FakeKubernetesApiOptions options, ConcurrentQueue<RecordedRequest> requests, ConcurrentQueue<Exception> errors)
{
    private ObjectStore Store => objects.Store;

    private TimeProvider Time => options.Time;

    public async Task HandleAsync(HttpContext ctx)
    {
        var request = new RecordedRequest(ctx.Request.Method, ctx.Request.Path.Value ?? "/", ctx.Request.QueryString.Value ?? "", Time.GetUtcNow());
        requests.Enqueue(request);
        try
        {
            if (ctx.Request.Headers.Authorization.ToString() != "Bearer " + options.Token)
            {
                throw new ApiError(401, "Unauthorized", "Unauthorized");
            }

            if (faults.Take(request) is { } fault)
            {
                await WriteFaultAsync(ctx, fault.Fault, fault.RetryAfter).ConfigureAwait(false);
                return;
            }

            await RouteAsync(ctx, request).ConfigureAwait(false);
        }
        catch (ApiError e)
        {
            await WriteErrorAsync(ctx, e).ConfigureAwait(false);
        }
        catch (SelectorException e)
        {
            await WriteErrorAsync(ctx, ApiError.BadRequest(e.Message)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            // The client went away (a watch or a log follow it stopped reading).
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug of the fake: kept for the test to see, and answered as the real server answers a panic.
            errors.Enqueue(e);
            await WriteErrorAsync(ctx, new ApiError(500, "InternalError", "Internal error occurred: fake API server: " + e.Message)).ConfigureAwait(false);
        }
    }

    private Task RouteAsync(HttpContext ctx, RecordedRequest request)
    {
        var method = ctx.Request.Method;
        var segments = request.Path.Trim('/').Split('/');
        var (prefix, rest) = segments switch
        {
            ["api", "v1", .. var r] => ("api/v1", r),
            ["apis", var group, var version, .. var r] => ($"apis/{group}/{version}", r),
            _ => throw NotFoundPath(),
        };

        switch (rest)
        {
            case [] when method == "GET":
                return WriteJsonAsync(ctx, 200, Discovery(prefix));

            case [var plural] when ResourceKind.ByPlural(prefix, plural) is { } kind && method == "GET":
                return ListOrWatchAsync(ctx, kind, ns: null);

            case ["namespaces", var ns] when prefix == "api/v1" && method == "GET":
                return WriteJsonAsync(ctx, 200, new V1Namespace
                {
                    Kind = "Namespace",
                    ApiVersion = "v1",
                    Metadata = new V1ObjectMeta { Name = ns, Labels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = ns } },
                    Status = new V1NamespaceStatus { Phase = "Active" },
                });

            case ["namespaces", var ns, var plural] when ResourceKind.ByPlural(prefix, plural) is { } kind:
                return method switch
                {
                    "GET" => ListOrWatchAsync(ctx, kind, ns),
                    "POST" => CreateAsync(ctx, kind, ns),
                    "DELETE" => DeleteCollectionAsync(ctx, kind, ns),
                    _ => throw MethodNotAllowed(method),
                };

            case ["namespaces", var ns, var plural, var name] when ResourceKind.ByPlural(prefix, plural) is { } kind:
                return method switch
                {
                    "GET" => WriteJsonAsync(ctx, 200, Store.Get(kind, ns, name) ?? throw ApiError.NotFound(kind, name)),
                    "DELETE" => DeleteAsync(ctx, kind, ns, name),
                    "PUT" => ReplaceAsync(ctx, kind, ns, name),
                    "PATCH" => PatchAsync(ctx, kind, ns, name),
                    _ => throw MethodNotAllowed(method),
                };

            case ["namespaces", var ns, "pods", var name, "log"] when prefix == "api/v1" && method == "GET":
                return LogAsync(ctx, ns, name);

            case ["namespaces", var ns, "pods", var name, "status"] when prefix == "api/v1" && method == "GET":
                return WriteJsonAsync(ctx, 200, Store.Get(ResourceKind.Pods, ns, name) ?? throw ApiError.NotFound(ResourceKind.Pods, name));

            default:
                throw NotFoundPath();
        }
    }

    /// <summary>
    /// Discovery of one group version (<c>GET /api/v1</c>, <c>GET /apis/apps/v1</c>): the resources
    /// the fake serves there, and in the core group the cluster-scoped namespaces; 404 for a group
    /// version it does not serve, as the real server answers one no API registers.
    /// </summary>
    private static V1APIResourceList Discovery(string prefix)
    {
        var kinds = ResourceKind.All.Where(k => k.Prefix == prefix).ToList();
        if (kinds.Count == 0)
        {
            throw NotFoundPath();
        }

        var resources = kinds.Select(k => new V1APIResource
        {
            Name = k.Plural,
            SingularName = k.Kind.ToLowerInvariant(),
            Kind = k.Kind,
            Namespaced = true,
            Verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
        }).ToList();
        if (prefix == "api/v1")
        {
            resources.Add(new V1APIResource { Name = "namespaces", SingularName = "namespace", Kind = "Namespace", Namespaced = false, Verbs = ["get"] });
        }

        return new V1APIResourceList
        {
            Kind = "APIResourceList",
            ApiVersion = "v1",
            GroupVersion = kinds[0].ApiVersion,
            Resources = resources,
        };
    }

    private async Task CreateAsync(HttpContext ctx, ResourceKind kind, string ns)
    {
        var body = await ReadBodyAsync(ctx).ConfigureAwait(false);
        var created = objects.Create(kind, ns, body, DryRun(ctx));
        await WriteJsonAsync(ctx, 201, created).ConfigureAwait(false);
    }

    private async Task DeleteAsync(HttpContext ctx, ResourceKind kind, string ns, string name)
    {
        var grace = await GracePeriodAsync(ctx).ConfigureAwait(false);
        var deleted = objects.Delete(kind, ns, name, grace);
        if (kind == ResourceKind.Pods || kind == ResourceKind.PersistentVolumeClaims)
        {
            await WriteJsonAsync(ctx, 200, deleted).ConfigureAwait(false);
            return;
        }

        // Kinds without graceful deletion answer with a Success status, as the real server does.
        await WriteJsonAsync(ctx, 200, KubeJson.Status(new V1Status
        {
            Kind = "Status",
            ApiVersion = "v1",
            Metadata = new V1ListMeta(),
            Status = "Success",
            Details = new V1StatusDetails { Name = name, Kind = kind.Plural, Uid = (string?)deleted["metadata"]?["uid"] },
        })).ConfigureAwait(false);
    }

    private async Task DeleteCollectionAsync(HttpContext ctx, ResourceKind kind, string ns)
    {
        var grace = await GracePeriodAsync(ctx).ConfigureAwait(false);
        var (items, version) = Store.List(Filter(ctx, kind, ns));
        var deleted = new JsonArray();
        foreach (var item in items)
        {
            try
            {
                deleted.Add(ListItem(objects.Delete(kind, ns, KubeJson.Name(item)!, grace)));
            }
            catch (ApiError e) when (e.Code == 404)
            {
                // Gone between the list and the delete: nothing left to do for it.
            }
        }

        await WriteJsonAsync(ctx, 200, ListOf(kind, deleted, version)).ConfigureAwait(false);
    }

    /// <summary>PUT: labels, annotations, owner references and finalizers (and a ConfigMap's or Secret's data) from the body; the rest as stored.</summary>
    private async Task ReplaceAsync(HttpContext ctx, ResourceKind kind, string ns, string name)
    {
        var body = await ReadBodyAsync(ctx).ConfigureAwait(false);
        var updated = Update(kind, ns, name, (string?)body["metadata"]?["resourceVersion"], current => body);
        await WriteJsonAsync(ctx, 200, updated).ConfigureAwait(false);
    }

    /// <summary>PATCH as a JSON merge patch (a strategic merge patch is read the same way, which differs only for lists).</summary>
    private async Task PatchAsync(HttpContext ctx, ResourceKind kind, string ns, string name)
    {
        var type = ctx.Request.ContentType ?? "";
        if (!type.StartsWith("application/merge-patch+json", StringComparison.Ordinal) &&
            !type.StartsWith("application/strategic-merge-patch+json", StringComparison.Ordinal))
        {
            throw new ApiError(415, "UnsupportedMediaType", $"the fake API server does not support the patch type {type}: use a merge patch");
        }

        var patch = await ReadBodyAsync(ctx).ConfigureAwait(false);
        var updated = Update(kind, ns, name, (string?)patch["metadata"]?["resourceVersion"], current =>
        {
            var merged = KubeJson.Clone(current);
            MergePatch(merged, patch);
            return merged;
        });
        await WriteJsonAsync(ctx, 200, updated).ConfigureAwait(false);
    }

    private JsonObject Update(ResourceKind kind, string ns, string name, string? expectedVersion, Func<JsonObject, JsonObject> desired)
    {
        ApiError? conflict = null;
        ApiError? invalid = null;
        var updated = Store.Update(kind, ns, name, current =>
        {
            if (expectedVersion is not null && expectedVersion != (string?)current["metadata"]?["resourceVersion"])
            {
                conflict = new ApiError(409, "Conflict", $"Operation cannot be fulfilled on {kind.Plural} \"{name}\": the object has been modified; please apply your changes to the latest version and try again", new V1StatusDetails { Name = name, Kind = kind.Plural });
                return false;
            }

            var proposed = desired(current);
            var violations = KubernetesSchemas.Validate(kind.Kind, proposed);
            if (violations.Count > 0)
            {
                invalid = ApiError.Invalid(kind, proposed, violations);
                return false;
            }

            var next = kind.Normalize(proposed);
            var meta = KubeJson.Metadata(current);
            var nextMeta = KubeJson.Metadata(next);
            foreach (var field in new[] { "labels", "annotations", "ownerReferences", "finalizers" })
            {
                meta[field] = nextMeta[field]?.DeepClone();
            }

            foreach (var field in new[] { "data", "binaryData", "stringData" })
            {
                if (kind == ResourceKind.ConfigMaps || kind == ResourceKind.Secrets)
                {
                    current[field] = next[field]?.DeepClone();
                }
            }

            return true;
        }) ?? throw ApiError.NotFound(kind, name);
        return (conflict ?? invalid) is { } error ? throw error : updated;
    }

    private async Task ListOrWatchAsync(HttpContext ctx, ResourceKind kind, string? ns)
    {
        var query = ctx.Request.Query;
        var filter = Filter(ctx, kind, ns);
        long? version = long.TryParse(query["resourceVersion"], NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v != 0 ? v : null;
        if (query["watch"] is var w && (w == "true" || w == "1"))
        {
            await WatchAsync(ctx, filter, version).ConfigureAwait(false);
            return;
        }

        // The real server serves an old resourceVersion from its cache (NotOlderThan) or fails
        // it with 410 under resourceVersionMatch=Exact; the fake fails it whenever its history no
        // longer reaches back that far, so a client's relist-on-410 path gets exercised.
        if (version is { } rv && Store.IsExpired(rv))
        {
            throw new ApiError(410, "Expired", "The resourceVersion for the provided list is too old.");
        }

        var (items, current) = Store.List(filter);
        await WriteJsonAsync(ctx, 200, ListOf(kind, new JsonArray([.. items.Select(ListItem)]), current)).ConfigureAwait(false);
    }

    /// <summary>
    /// A watch: newline-delimited events streamed until timeoutSeconds, a dropped connection or the
    /// client going away; bookmarks when asked for; an ERROR event with 410 Expired when the
    /// resourceVersion is older than the kept history, which is what the real server sends.
    /// </summary>
    private async Task WatchAsync(HttpContext ctx, ObjectFilter filter, long? fromVersion)
    {
        var query = ctx.Request.Query;
        var bookmarks = query["allowWatchBookmarks"] == "true";

        // A streaming list (sendInitialEvents=true): every object as ADDED, then a bookmark marking the end of them.
        var initialEvents = query["sendInitialEvents"] == "true";
        var start = Store.Watch(filter, initialEvents ? null : fromVersion, droppable: true);

        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.StartAsync(ctx.RequestAborted).ConfigureAwait(false);

        if (start.Subscription is not { } subscription)
        {
            var expired = new ApiError(410, "Expired", $"too old resource version: {start.TooOld} ({start.Oldest})").Status;
            await WriteLineAsync(ctx, KubeJson.Write(new JsonObject { ["type"] = "ERROR", ["object"] = KubeJson.Status(expired) })).ConfigureAwait(false);
            return;
        }

        using var _ = subscription;
        using var timeout = int.TryParse(query["timeoutSeconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? new CancellationTokenSource(TimeSpan.FromSeconds(seconds), Time)
            : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, ctx.RequestAborted);
        var bookmarking = bookmarks ? SendBookmarksAsync(subscription, linked.Token) : Task.CompletedTask;
        try
        {
            foreach (var e in start.Replay)
            {
                await WriteLineAsync(ctx, e.Line).ConfigureAwait(false);
            }

            if (initialEvents && bookmarks)
            {
                Store.Bookmark(subscription, initialEventsEnd: true);
            }

            await foreach (var item in subscription.Reader.ReadAllAsync(linked.Token).ConfigureAwait(false))
            {
                var line = item switch
                {
                    WatchItem.Change c => c.Event.Line,
                    WatchItem.Bookmark b => KubeJson.Write(new JsonObject
                    {
                        ["type"] = "BOOKMARK",
                        ["object"] = new JsonObject
                        {
                            ["kind"] = filter.Kind.Kind,
                            ["apiVersion"] = filter.Kind.ApiVersion,
                            ["metadata"] = b.InitialEventsEnd
                                ? new JsonObject
                                {
                                    ["resourceVersion"] = ApiObjects.Version(b.ResourceVersion),
                                    ["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" },
                                }
                                : new JsonObject { ["resourceVersion"] = ApiObjects.Version(b.ResourceVersion) },
                        },
                    }),
                    _ => throw new InvalidOperationException("unknown watch item " + item),
                };
                await WriteLineAsync(ctx, line).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ctx.RequestAborted.IsCancellationRequested)
        {
            // timeoutSeconds: the server ends the watch cleanly.
        }
        finally
        {
            await linked.CancelAsync().ConfigureAwait(false);
            await bookmarking.ConfigureAwait(false);
        }
    }

    private async Task SendBookmarksAsync(WatchSubscription subscription, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(options.BookmarkInterval, Time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                Store.Bookmark(subscription);
            }
        }
        catch (OperationCanceledException)
        {
            // The watch ended.
        }
    }

    private async Task LogAsync(HttpContext ctx, string ns, string name)
    {
        var query = ctx.Request.Query;
        var podNode = Store.Get(ResourceKind.Pods, ns, name) ?? throw ApiError.NotFound(ResourceKind.Pods, name);
        var pod = KubeJson.To<V1Pod>(podNode);
        var init = (pod.Spec.InitContainers ?? []).Select(c => c.Name).ToList();
        var main = pod.Spec.Containers.Select(c => c.Name).ToList();
        var container = query["container"].ToString();
        if (container.Length == 0)
        {
            if (main.Count == 1)
            {
                container = main[0];
            }
            else if (pod.Annotations()?.TryGetValue("kubectl.kubernetes.io/default-container", out var preferred) == true)
            {
                container = preferred;
            }
            else
            {
                throw ApiError.BadRequest($"a container name must be specified for pod {name}, choose one of: [{string.Join(' ', main)}] or one of the init containers: [{string.Join(' ', init)}]");
            }
        }

        if (!init.Contains(container) && !main.Contains(container))
        {
            throw ApiError.BadRequest($"container {container} is not valid for pod {name}");
        }

        if (query["previous"] == "true")
        {
            throw ApiError.BadRequest($"previous terminated container \"{container}\" in pod \"{name}\" not found");
        }

        var log = objects.Kubelet.Worker(ns, name)?.Log(container);
        var status = (pod.Status?.InitContainerStatuses ?? []).Concat(pod.Status?.ContainerStatuses ?? []).FirstOrDefault(s => s.Name == container);
        if (log is null || (status?.State?.Waiting is { } waiting && log.Snapshot().Count == 0 && !log.Ended))
        {
            var reason = status?.State?.Waiting?.Reason ?? "ContainerCreating";
            throw ApiError.BadRequest($"container \"{container}\" in pod \"{name}\" is waiting to start: {reason}");
        }

        var follow = query["follow"] == "true";
        var timestamps = query["timestamps"] == "true";
        var snapshot = log.Snapshot();
        var start = 0;
        if (int.TryParse(query["tailLines"], NumberStyles.None, CultureInfo.InvariantCulture, out var tail))
        {
            start = Math.Max(0, snapshot.Count - tail);
        }

        DateTimeOffset? since = int.TryParse(query["sinceSeconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var sinceSeconds)
            ? Time.GetUtcNow().AddSeconds(-sinceSeconds)
            : DateTimeOffset.TryParse(query["sinceTime"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var sinceTime) ? sinceTime : null;
        long? limit = long.TryParse(query["limitBytes"], NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : null;

        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "text/plain";
        await ctx.Response.StartAsync(ctx.RequestAborted).ConfigureAwait(false);
        long written = 0;
        await foreach (var line in log.ReadAsync(start, follow, ctx.RequestAborted).ConfigureAwait(false))
        {
            if (since is { } s && line.At < s)
            {
                continue;
            }

            var bytes = Encoding.UTF8.GetBytes((timestamps ? KubeJson.NanoTime(line.At) + " " : "") + line.Text + "\n");
            if (limit is { } max && written + bytes.Length > max)
            {
                await ctx.Response.Body.WriteAsync(bytes.AsMemory(0, (int)(max - written)), ctx.RequestAborted).ConfigureAwait(false);
                break;
            }

            written += bytes.Length;
            await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted).ConfigureAwait(false);
            if (follow)
            {
                await ctx.Response.Body.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
            }
        }
    }

    private static ObjectFilter Filter(HttpContext ctx, ResourceKind kind, string? ns) =>
        new(kind, ns, LabelSelector.Parse(ctx.Request.Query["labelSelector"]), FieldSelector.Parse(ctx.Request.Query["fieldSelector"]));

    private static bool DryRun(HttpContext ctx) => ctx.Request.Query["dryRun"] == "All";

    /// <summary>The grace period from the query or from a V1DeleteOptions body, the query winning as on the real server.</summary>
    private static async Task<long?> GracePeriodAsync(HttpContext ctx)
    {
        if (long.TryParse(ctx.Request.Query["gracePeriodSeconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var fromQuery))
        {
            return fromQuery;
        }

        using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(ctx.RequestAborted).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return KubernetesJson.Deserialize<V1DeleteOptions>(text)?.GracePeriodSeconds;
        }
        catch (JsonException e)
        {
            throw ApiError.BadRequest("the body of the request was in an unknown format: " + e.Message);
        }
    }

    private static async Task<JsonObject> ReadBodyAsync(HttpContext ctx)
    {
        try
        {
            var node = await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted).ConfigureAwait(false);
            return node as JsonObject ?? throw ApiError.BadRequest("the body of the request must be a JSON object");
        }
        catch (JsonException e)
        {
            throw ApiError.BadRequest("the body of the request was in an unknown format: " + e.Message);
        }
    }

    /// <summary>RFC 7386: objects merge, null removes, anything else replaces.</summary>
    private static void MergePatch(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch)
        {
            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject patchObject && target[key] is JsonObject targetObject)
            {
                MergePatch(targetObject, patchObject);
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }
    }

    /// <summary>Items of a list carry no kind or apiVersion on the wire, the list does.</summary>
    private static JsonObject ListItem(JsonObject obj)
    {
        var item = KubeJson.Clone(obj);
        item.Remove("kind");
        item.Remove("apiVersion");
        return item;
    }

    private static JsonObject ListOf(ResourceKind kind, JsonArray items, long version) => new()
    {
        ["kind"] = kind.ListKind,
        ["apiVersion"] = kind.ApiVersion,
        ["metadata"] = new JsonObject { ["resourceVersion"] = ApiObjects.Version(version) },
        ["items"] = items,
    };

    private static ApiError NotFoundPath() => new(404, "NotFound", "the server could not find the requested resource");

    private static ApiError MethodNotAllowed(string method) => new(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource: {method}");

    private static Task WriteFaultAsync(HttpContext ctx, RequestFault fault, TimeSpan retryAfter)
    {
        if (fault == RequestFault.TooManyRequests)
        {
            var seconds = (int)Math.Ceiling(retryAfter.TotalSeconds);
            ctx.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return WriteErrorAsync(ctx, new ApiError(429, "TooManyRequests", "Too many requests, please try again later.", new V1StatusDetails { RetryAfterSeconds = seconds }));
        }

        return WriteErrorAsync(ctx, new ApiError(500, "InternalError", "Internal error occurred: injected by the fake API server"));
    }

    private static Task WriteErrorAsync(HttpContext ctx, ApiError error) =>
        ctx.Response.HasStarted ? Task.CompletedTask : WriteJsonAsync(ctx, error.Code, KubeJson.Status(error.Status));

    private static Task WriteJsonAsync(HttpContext ctx, int code, object body) =>
        WriteTextAsync(ctx, code, body is JsonNode node ? KubeJson.Write(node) : KubernetesJson.Serialize(body));

    private static async Task WriteTextAsync(HttpContext ctx, int code, string json)
    {
        ctx.Response.StatusCode = code;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(json, ctx.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteLineAsync(HttpContext ctx, string line)
    {
        await ctx.Response.WriteAsync(line + "\n", ctx.RequestAborted).ConfigureAwait(false);
        await ctx.Response.Body.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
    }
}
