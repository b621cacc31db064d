using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mothership.Cloud.Access;
using Mothership.Cloud.Rollouts;
using Mothership.Cloud.Sources;
using Mothership.Model.Validation;
using Mothership.Server.Access;
using Mothership.Server.Api;
using Mothership.Store;

namespace Mothership.Server.Rollouts;

/// <summary>
/// <c>/api/v1/rollouts</c>: start a rollout of an environment (201; 409 while another of the
/// environment is active), list them, show one (waves, sites, gates, the window, events) and act
/// on it: <c>pause</c>, <c>resume</c>, <c>abort</c>, <c>retry {site}</c>, <c>approve {gate?}</c>
/// (403 naming the roles that may, for a caller holding none of them).
/// </summary>
internal static class RolloutEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        // Pausing and aborting stop a rollout (cancel), resuming lets it deploy again (create), a
        // retry reruns a failed site (rerun); an approval also needs one of the gate's roles.
        api.MapPost("/rollouts", StartAsync).RequireAccess(AccessResources.Rollouts, AccessActions.Create, AccessObjects.RolloutInBody());
        api.MapGet("/rollouts", ListAsync).WithMetadata(new AccessRequiredMetadata());
        api.MapGet("/rollouts/{name}", GetAsync).RequireAccess(AccessResources.Rollouts, AccessActions.Get, AccessObjects.Rollout());
        api.MapPost("/rollouts/{name}/pause", (string name, HttpContext c, RolloutService s, IRunStore st, CancellationToken ct) =>
            ActAsync(name, "Pause", c, s, st, (by, _) => at => new RolloutEvent.Paused(by, at), ct))
            .RequireAccess(AccessResources.Rollouts, AccessActions.Cancel, AccessObjects.Rollout());
        api.MapPost("/rollouts/{name}/resume", (string name, HttpContext c, RolloutService s, IRunStore st, CancellationToken ct) =>
            ActAsync(name, "Resume", c, s, st, (by, _) => at => new RolloutEvent.Resumed(by, at), ct))
            .RequireAccess(AccessResources.Rollouts, AccessActions.Create, AccessObjects.Rollout());
        api.MapPost("/rollouts/{name}/abort", (string name, HttpContext c, RolloutService s, IRunStore st, CancellationToken ct) =>
            ActAsync(name, "Abort", c, s, st, (by, body) => at => new RolloutEvent.Aborted(by, Text(body, "message") ?? "aborted", at), ct))
            .RequireAccess(AccessResources.Rollouts, AccessActions.Cancel, AccessObjects.Rollout());
        api.MapPost("/rollouts/{name}/retry", RetryAsync).RequireAccess(AccessResources.Rollouts, AccessActions.Rerun, AccessObjects.Rollout());
        api.MapPost("/rollouts/{name}/approve", ApproveAsync).RequireAccess(AccessResources.Rollouts, AccessActions.Approve, AccessObjects.Rollout());
    }

    private static IResult NoRepository() =>
        Problems.NotFound("rollouts: no site repository is configured (Mothership__Cloud__Repository)");

    /// <summary>The body as a JSON object (empty: none); null with a problem when it is not one.</summary>
    private static async Task<(JsonObject? Body, IResult? Problem)> BodyAsync(HttpContext context, string expected, CancellationToken ct)
    {
        var text = await ApiContext.BodyAsync(context.Request, ct).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(text))
        {
            return (new JsonObject(), null);
        }

        try
        {
            return JsonNode.Parse(text) is JsonObject json ? (json, null) : (null, Problems.BadRequest($"body: not a JSON object; send {expected}"));
        }
        catch (JsonException e)
        {
            return (null, Problems.BadRequest($"body: not JSON ({e.Message.Split('\n')[0]}); send {expected}"));
        }
    }

    /// <summary>A string field; null when absent. Throws <see cref="InvalidOperationException"/> when it is not a string.</summary>
    private static string? Text(JsonObject? body, string field) => body?[field] is { } node ? node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : throw new InvalidOperationException(field) : null;

    private static IResult Answer(RolloutAnswer answer) => answer.Status switch
    {
        StatusCodes.Status200OK or StatusCodes.Status201Created => Results.Json(Summary(answer.Rollout!), statusCode: answer.Status),
        StatusCodes.Status404NotFound => Problems.Of(answer.Status, "Not found", answer.Message ?? "not found"),
        StatusCodes.Status400BadRequest => Problems.BadRequest(answer.Field is { } f ? $"{f}: {answer.Message}" : answer.Message ?? "bad request"),
        StatusCodes.Status403Forbidden => Problems.Of(answer.Status, "Forbidden", answer.Message ?? "forbidden"),
        _ => Problems.Conflict(answer.Message ?? "conflict"),
    };

    private static async Task<IResult> StartAsync(HttpContext context, RolloutService rollouts, CancellationToken ct)
    {
        if (!rollouts.Configured)
        {
            return NoRepository();
        }

        const string Expected = "{\"environment\": \"prod\", \"revision\": \"...\"}";
        var (body, problem) = await BodyAsync(context, Expected, ct).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        string? environment, revision;
        try
        {
            environment = Text(body, "environment");
            revision = Text(body, "revision");
        }
        catch (InvalidOperationException e)
        {
            return Problems.BadRequest($"{e.Message}: must be a string; send {Expected}");
        }

        if (environment is null || !KubernetesNames.IsDns1123Label(environment))
        {
            return Problems.BadRequest($"environment: required, the name of an environment of cloud.yaml's promotion (dev, stage, prod); send {Expected}");
        }

        if (revision is not null && (revision.Length is 0 or > 200 || revision.StartsWith('-') || revision.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))))
        {
            return Problems.BadRequest("revision: a commit, branch or tag of the site repository (no spaces, not starting with '-'); absent: the default branch");
        }

        try
        {
            return Answer(await rollouts.StartAsync(environment, revision, ApiContext.Actor(context), ct).ConfigureAwait(false));
        }
        catch (SiteSourceException e)
        {
            return Problems.Of(StatusCodes.Status503ServiceUnavailable, "Site repository unavailable", e.Message);
        }
    }

    /// <summary>The rollouts, without those whose environment the caller may not <c>get</c> (when a policy is in force).</summary>
    private static async Task<IResult> ListAsync(HttpContext context, IRunStore store, ServerAccess access, CancellationToken ct)
    {
        var view = await access.CurrentAsync(ct).ConfigureAwait(false);
        var visible = (await store.ListRolloutsAsync(200, ct).ConfigureAwait(false))
            .Where(r => ServerAccess.Decide(view, context.User, AccessResources.Rollouts, AccessActions.Get, AccessObjects.Environment(r.Environment))?.Allowed != false);
        return Results.Json(new JsonObject { ["items"] = new JsonArray([.. visible.Select(r => (JsonNode)Summary(r))]) });
    }

    private static JsonObject Summary(RolloutRecord r)
    {
        var document = RolloutDocument.Parse(r.Document);
        return new JsonObject
        {
            ["name"] = r.Name,
            ["environment"] = r.Environment,
            ["revision"] = r.Revision,
            ["status"] = r.Status,
            ["reason"] = r.Reason,
            ["active"] = r.Active,
            ["actor"] = r.Actor,
            ["createdAt"] = r.CreatedAt,
            ["updatedAt"] = r.UpdatedAt,
            ["sites"] = document.State.Sites.Length,
            ["succeeded"] = document.State.Count(SiteRolloutState.Succeeded),
            ["failed"] = document.State.Count(SiteRolloutState.Failed),
        };
    }

    private static async Task<IResult> GetAsync(string name, RolloutService rollouts, IRunStore store, TimeProvider time, CancellationToken ct)
    {
        if (await store.GetRolloutAsync(name, ct).ConfigureAwait(false) is not { } rollout)
        {
            return Problems.NotFound($"rollout '{name}'");
        }

        var document = RolloutDocument.Parse(rollout.Document);
        var events = await store.ListRolloutEventsAsync(name, ct).ConfigureAwait(false);
        var plan = await rollouts.PlanOfAsync(rollout, ct).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var lastChange = events.Where(e => e.Site is not null).GroupBy(e => e.Site!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().At, StringComparer.Ordinal);
        var view = Summary(rollout);
        view["waves"] = new JsonArray([.. document.Waves.Select(w => (JsonNode)new JsonObject { ["name"] = w.Name, ["sites"] = new JsonArray([.. w.Sites.Select(s => (JsonNode)s)]) })]);
        view["sites"] = new JsonArray([.. document.State.Sites.Select(s => (JsonNode)new JsonObject
        {
            ["site"] = s.Site,
            ["region"] = document.Regions.GetValueOrDefault(s.Site),
            ["wave"] = plan.Waves[s.Wave].Name,
            ["state"] = s.State.ToString(),
            ["attempt"] = s.Attempt,
            ["run"] = document.Deploys.GetValueOrDefault(s.Site) is { } d && d.Attempt == s.Attempt ? d.RunName : null,
            ["check"] = document.Bakes.GetValueOrDefault(s.Site) is { } b && b.Attempt == s.Attempt ? b.RunName : null,
            ["reason"] = s.Reason,
            ["message"] = s.Message,
            ["updatedAt"] = lastChange.TryGetValue(s.Site, out var at) ? at : null,
        })]);
        view["gates"] = new JsonArray([.. plan.Waves.Where(w => w.Gate is not null).Select(w => (JsonNode)new JsonObject
        {
            ["wave"] = w.Name,
            ["gate"] = w.GateId,
            ["roles"] = new JsonArray([.. w.Gate!.Approvers.Select(a => (JsonNode)a)]),
            ["approvedBy"] = document.State.Approvals.GetValueOrDefault(w.GateId),
            ["approvedAt"] = document.ApprovedAt.TryGetValue(w.GateId, out var when) ? when : null,
            ["waiting"] = document.State.Sites.Any(s => s.Wave == w.Index && s.State == SiteRolloutState.WaitingForApproval),
        })]);
        var windows = plan.Policy.Windows;
        view["window"] = new JsonObject
        {
            ["open"] = windows?.IsOpen(now) ?? true,
            ["nextOpening"] = windows is null ? null : windows.NextOpening(now),
        };
        view["events"] = new JsonArray([.. events.Select(e => (JsonNode)new JsonObject
        {
            ["seq"] = e.Seq,
            ["at"] = e.At,
            ["site"] = e.Site,
            ["from"] = e.From,
            ["to"] = e.To,
            ["reason"] = e.Reason,
            ["message"] = e.Message,
            ["actor"] = e.Actor,
        })]);
        return Results.Json(view);
    }

    private static async Task<IResult> ActAsync(string name, string action, HttpContext context, RolloutService rollouts, IRunStore store,
        Func<string, JsonObject?, Func<DateTimeOffset, RolloutEvent>> make, CancellationToken ct)
    {
        var (body, problem) = await BodyAsync(context, "{}", ct).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        if (await store.GetRolloutAsync(name, ct).ConfigureAwait(false) is null)
        {
            return Problems.NotFound($"rollout '{name}'");
        }

        try
        {
            return Answer(await rollouts.ActAsync(name, action, ApiContext.Actor(context), make(ApiContext.Actor(context), body), ct).ConfigureAwait(false));
        }
        catch (InvalidOperationException e)
        {
            return Problems.BadRequest($"{e.Message}: must be a string");
        }
    }

    private static async Task<IResult> RetryAsync(string name, HttpContext context, RolloutService rollouts, IRunStore store, CancellationToken ct)
    {
        var (body, problem) = await BodyAsync(context, "{\"site\": \"...\"}", ct).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        string? site;
        try
        {
            site = Text(body, "site");
        }
        catch (InvalidOperationException)
        {
            site = null;
        }

        if (site is null || !KubernetesNames.IsDns1123Label(site))
        {
            return Problems.BadRequest("site: required, the failed site to deploy again; send {\"site\": \"...\"}");
        }

        if (await store.GetRolloutAsync(name, ct).ConfigureAwait(false) is not { } rollout)
        {
            return Problems.NotFound($"rollout '{name}'");
        }

        if (!RolloutDocument.Parse(rollout.Document).State.Sites.Any(s => s.Site == site))
        {
            return Problems.BadRequest($"site: rollout {name} has no site '{site}'");
        }

        var by = ApiContext.Actor(context);
        return Answer(await rollouts.ActAsync(name, "Retry", by, at => new RolloutEvent.RetryRequested(site, by, at), ct).ConfigureAwait(false));
    }

    private static async Task<IResult> ApproveAsync(string name, HttpContext context, RolloutService rollouts, IRolloutRoles roles, ServerAccess access, IRunStore store, TimeProvider time,
        CancellationToken ct)
    {
        var (body, problem) = await BodyAsync(context, "{\"gate\": \"wave-1\"}", ct).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        string? asked;
        try
        {
            asked = Text(body, "gate");
        }
        catch (InvalidOperationException)
        {
            return Problems.BadRequest("gate: must be a string, a wave (wave-1) or its gate (before-wave-1)");
        }

        var held = await roles.RolesOfAsync(context.User, ct).ConfigureAwait(false);
        var answer = await rollouts.ApproveAsync(name, asked, ApiContext.Actor(context), held, ct).ConfigureAwait(false);
        if (answer is { Status: StatusCodes.Status403Forbidden, Rollout: { } refused } && (await access.CurrentAsync(ct).ConfigureAwait(false)).Enforced)
        {
            // The policy let the caller approve (the filter audited that); the gate's roles did not.
            await AccessAudit.WriteGateRefusalAsync(store, time, ApiContext.Actor(context), AccessSources.Of(context.Request), refused.Environment, answer.Message ?? "", ct).ConfigureAwait(false);
        }

        return Answer(answer);
    }
}
