using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Mothership.Cloud.Access;
using Mothership.Model.Tekton;
using Mothership.Server.Api;
using Mothership.Server.Runs;
using Mothership.Store;

namespace Mothership.Server.Access;

/// <summary>How an endpoint finds the object of its request, given the policy in force.</summary>
internal delegate ValueTask<string> AccessObjectOf(HttpContext context, AccessView view);

/// <summary>The object resolvers the endpoints share.</summary>
internal static class AccessObjects
{
    /// <summary>The object of server settings, the audit log and CI's records: <c>-/settings</c>.</summary>
    public static readonly string Settings = AccessObject.Unscoped("settings");

    /// <summary>The object of the CI bot's records (deliveries, job results, flakes, the merge pool, pull requests): <c>-/ci</c>.</summary>
    public static readonly string Ci = AccessObject.Unscoped("ci");

    /// <summary>Always <paramref name="obj"/> (<c>-/settings</c>).</summary>
    public static AccessObjectOf Fixed(string obj) => (_, _) => ValueTask.FromResult(obj);

    /// <summary>The site named by route value <paramref name="routeKey"/>: <c>ENVIRONMENT/SITE</c>.</summary>
    public static AccessObjectOf Site(string routeKey = "site") =>
        (context, view) => ValueTask.FromResult(view.SiteObject(context.Request.RouteValues[routeKey] as string ?? ""));

    /// <summary>
    /// The run named by the route (<c>{kinds}</c>, <c>{name}</c>): its site's object or <c>-/NAME</c>.
    /// A TaskRun of a PipelineRun (not stored on its own) has its PipelineRun's object; an unknown
    /// run is <c>-/NAME</c> (the endpoint then answers 404 to whoever may see such a run).
    /// </summary>
    public static AccessObjectOf Run(string? kind = null) => async (context, view) =>
    {
        var name = context.Request.RouteValues["name"] as string ?? "";
        kind ??= ApiContext.RunKind(context.Request.RouteValues["kinds"] as string ?? "") ?? nameof(PipelineRun);
        var store = context.RequestServices.GetRequiredService<IRunStore>();
        var ct = context.RequestAborted;
        if (await store.GetRunSummaryAsync(kind, name, ct).ConfigureAwait(false) is { } run)
        {
            ApiContext.RememberRun(context, run);
            return ServerAccess.RunObject(view, run);
        }

        if (kind == nameof(TaskRun))
        {
            foreach (var parent in ChildTaskRuns.ParentCandidates(name))
            {
                if (await store.GetRunSummaryAsync(nameof(PipelineRun), parent, ct).ConfigureAwait(false) is { } pipelineRun)
                {
                    return ServerAccess.RunObject(view, pipelineRun);
                }
            }
        }

        return AccessObject.Unscoped(name);
    };

    /// <summary>
    /// The run a create request's body describes (YAML or JSON): its labels and name as given
    /// (<c>generateName</c> when it has no name). The body is buffered so the endpoint reads it again.
    /// A body that does not read is <c>-/</c>: the endpoint refuses it with its own diagnostics.
    /// </summary>
    public static AccessObjectOf RunInBody() => async (context, view) =>
    {
        context.Request.EnableBuffering();
        var body = await ApiContext.BodyAsync(context.Request, context.RequestAborted, leaveOpen: true).ConfigureAwait(false);
        context.Request.Body.Position = 0;
        var (name, labels) = RunIntake.NameAndLabels(body);
        return ServerAccess.RunObject(view, name, labels);
    };

    /// <summary>
    /// An environment as a whole, what a rollout acts on: <c>ENVIRONMENT/*</c>. A rule's glob
    /// <c>prod/*</c> (or <c>*</c>) matches it; a rule naming one site (<c>prod/prod-kr1</c>) does not,
    /// so only who may act on every site of the environment acts on its rollouts.
    /// </summary>
    public static string Environment(string environment) => AccessObject.ForSite(environment, "*");

    /// <summary>The rollout named by the route: its environment's object (<see cref="Environment"/>); an unknown rollout is <c>-/NAME</c> (the endpoint answers 404).</summary>
    public static AccessObjectOf Rollout() => async (context, _) =>
    {
        var name = context.Request.RouteValues["name"] as string ?? "";
        var rollout = await context.RequestServices.GetRequiredService<IRunStore>().GetRolloutAsync(name, context.RequestAborted).ConfigureAwait(false);
        return rollout is null ? AccessObject.Unscoped(name) : Environment(rollout.Environment);
    };

    /// <summary>
    /// The environment a rollout's start request names (<c>{"environment": …}</c>; the body is
    /// buffered so the endpoint reads it again). A body that does not read is <c>-/</c>: the endpoint
    /// refuses it with its own message.
    /// </summary>
    public static AccessObjectOf RolloutInBody() => async (context, _) =>
    {
        context.Request.EnableBuffering();
        var body = await ApiContext.BodyAsync(context.Request, context.RequestAborted, leaveOpen: true).ConfigureAwait(false);
        context.Request.Body.Position = 0;
        try
        {
            return JsonNode.Parse(body) is JsonObject json && json["environment"] is JsonValue value && value.TryGetValue<string>(out var environment)
                ? Environment(environment)
                : AccessObject.Unscoped("");
        }
        catch (JsonException)
        {
            return AccessObject.Unscoped("");
        }
    };

    /// <summary>The object of a definition applied or deleted: <c>-/NAME</c>.</summary>
    public static string Definition(string name) => AccessObject.Unscoped(name);

    /// <summary>The resource of a definition's kind: <c>pipelines</c> for a Pipeline, <c>tasks</c> for Tasks and StepActions.</summary>
    public static string DefinitionResource(string kind) => kind == nameof(Pipeline) ? AccessResources.Pipelines : AccessResources.Tasks;
}
