using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mothership.Engine.Status;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;
using Mothership.Model.Validation;
using Mothership.Server.Access;
using Mothership.Cloud.Access;
using Mothership.Server.Runs;
using Mothership.Store;

namespace Mothership.Server.Api;

/// <summary>Tasks, Pipelines and StepActions applied like <c>kubectl apply</c>.</summary>
internal static class ResourceEndpoints
{
    private static readonly HashSet<string> Appliable = ["Task", "Pipeline", "StepAction"];

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapPost("/apply", ApplyAsync).RequireAccess(ApplyQuestionsAsync);
        // Filtered by get on each definition, not refused.
        api.MapGet("/{kinds:regex(^(tasks|pipelines|stepactions)$)}", async (string kinds, HttpContext context, IRunStore store, ServerAccess access, CancellationToken ct) =>
        {
            var kind = ApiContext.ResourceKind(kinds)!;
            var view = await access.CurrentAsync(ct).ConfigureAwait(false);
            var items = await store.ListResourcesAsync(kind, ct).ConfigureAwait(false);
            return Results.Json(new { items = items.Where(r => AccessRequirements.MayGet(context, view, AccessObjects.DefinitionResource(kind), AccessObjects.Definition(r.Name))).Select(Json) });
        }).WithMetadata(new AccessRequiredMetadata());
        api.MapGet("/{kinds:regex(^(tasks|pipelines|stepactions)$)}/{name}", async (string kinds, string name, HttpContext context, IRunStore store, CancellationToken ct) =>
        {
            var r = await store.GetResourceAsync(ApiContext.ResourceKind(kinds)!, name, ct).ConfigureAwait(false);
            if (r is null)
            {
                return Problems.NotFound($"{ApiContext.ResourceKind(kinds)} '{name}'");
            }

            return context.Request.Headers.Accept.ToString().Contains("yaml", StringComparison.Ordinal)
                ? Results.Text(r.Document, "application/yaml")
                : Results.Json(Json(r));
        }).RequireAccess(DefinitionQuestion(AccessActions.Get));
        api.MapDelete("/{kinds:regex(^(tasks|pipelines|stepactions)$)}/{name}", async (string kinds, string name, HttpContext context, IRunStore store, CancellationToken ct) =>
            await store.DeleteResourceAsync(ApiContext.ResourceKind(kinds)!, name, ApiContext.Actor(context), ct).ConfigureAwait(false)
                ? Results.Json(new { kind = ApiContext.ResourceKind(kinds), name, deleted = true })
                : Problems.NotFound($"{ApiContext.ResourceKind(kinds)} '{name}'")).RequireAccess(DefinitionQuestion(AccessActions.Delete));
    }

    /// <summary>The question about the definition the route names.</summary>
    private static Func<HttpContext, AccessView, ValueTask<IReadOnlyList<AccessQuestion>>> DefinitionQuestion(string action) => (context, _) =>
        ValueTask.FromResult<IReadOnlyList<AccessQuestion>>([new AccessQuestion(
            AccessObjects.DefinitionResource(ApiContext.ResourceKind(context.Request.RouteValues["kinds"] as string ?? "") ?? ""), action,
            AccessObjects.Definition(context.Request.RouteValues["name"] as string ?? ""))]);

    /// <summary>An apply creates each definition of its body: one question each (a body that does not read asks nothing; the handler refuses it).</summary>
    private static async ValueTask<IReadOnlyList<AccessQuestion>> ApplyQuestionsAsync(HttpContext context, AccessView view)
    {
        context.Request.EnableBuffering();
        var body = await ApiContext.BodyAsync(context.Request, context.RequestAborted, leaveOpen: true).ConfigureAwait(false);
        context.Request.Body.Position = 0;
        return [.. ResourceLoader.Load(RunIntake.BodyFile, body, new DiagnosticBag()).Where(r => Appliable.Contains(r.Kind))
            .Select(r => new AccessQuestion(AccessObjects.DefinitionResource(r.Kind), AccessActions.Create, AccessObjects.Definition(r.Metadata.Name ?? "")))];
    }

    private static JsonObject Json(StoredResource r) => new()
    {
        ["kind"] = r.Kind,
        ["name"] = r.Name,
        ["generation"] = r.Generation,
        ["createdAt"] = RunObjectWriter.Time(r.CreatedAt),
        ["updatedAt"] = RunObjectWriter.Time(r.UpdatedAt),
        ["document"] = r.Document,
    };

    /// <summary>
    /// Validates every document of the body together with the stored resources they reference
    /// (a Pipeline may name a Task applied earlier), then stores each one. All or nothing: one
    /// invalid document and nothing is applied.
    /// </summary>
    private static async Task<IResult> ApplyAsync(HttpContext context, IRunStore store, CancellationToken ct)
    {
        var body = await ApiContext.BodyAsync(context.Request, ct).ConfigureAwait(false);
        var bag = new DiagnosticBag();
        var loaded = ResourceLoader.Load(RunIntake.BodyFile, body, bag);
        // Runs, ConfigMaps and the like in the same files are left alone, as documents apply does
        // not store; each is reported as skipped so the user sees it was not forgotten silently.
        var given = loaded.Where(r => Appliable.Contains(r.Kind)).ToList();

        if (given.Count == 0 && !bag.HasErrors)
        {
            bag.Error(new SourceLocation(RunIntake.BodyFile, 1, 1), "the body holds no Task, Pipeline or StepAction");
        }

        if (!bag.HasErrors)
        {
            var have = given.Select(g => (g.Kind, g.Metadata.Name)).ToHashSet();
            var stored = new List<Resource>();
            foreach (var kind in new[] { "Task", "StepAction" })
            {
                foreach (var s in await store.ListResourcesAsync(kind, ct).ConfigureAwait(false))
                {
                    if (!have.Contains((kind, s.Name)))
                    {
                        // Already validated when applied: errors here would be about old documents, not this request.
                        stored.AddRange(ResourceLoader.Load($"{kind.ToLowerInvariant()}s/{s.Name}", s.Document, new DiagnosticBag()));
                    }
                }
            }

            var set = new ResourceSet { All = [.. given, .. stored] };
            var check = new DiagnosticBag();
            ResourceValidator.Validate(set, check);
            foreach (var d in check.Sorted().Where(d => d.Location.File == RunIntake.BodyFile))
            {
                bag.AddRange([d]);
            }
        }

        if (bag.HasErrors)
        {
            return Problems.Invalid(bag.Sorted().ToList());
        }

        var documents = YamlDocuments.Split(body);
        var results = new JsonArray();
        var actor = ApiContext.Actor(context);
        for (var i = 0; i < loaded.Count; i++)
        {
            var r = loaded[i];
            if (!Appliable.Contains(r.Kind))
            {
                results.Add(new JsonObject
                {
                    ["kind"] = r.Kind,
                    ["name"] = r.Metadata.Name ?? r.Metadata.GenerateName,
                    ["generateName"] = r.Metadata.Name is null,
                    ["outcome"] = "skipped",
                    ["reason"] = r.Kind is "PipelineRun" or "TaskRun"
                        ? "apply stores definitions; start a run with mship start -f FILE or POST /api/v1/" + r.Kind.ToLowerInvariant() + "s"
                        : "apply stores Tasks, Pipelines and StepActions; this kind travels with the run that uses it",
                });
                continue;
            }

            var outcome = await store.ApplyResourceAsync(new StoredResource { Kind = r.Kind, Name = r.Metadata.Name!, Document = documents.Last(d => d.Line <= r.Location.Line).Text }, actor, ct).ConfigureAwait(false);
            results.Add(new JsonObject { ["kind"] = r.Kind, ["name"] = r.Metadata.Name, ["outcome"] = outcome.ToString().ToLowerInvariant() });
        }

        return Results.Json(new JsonObject { ["items"] = results });
    }
}
