using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mothership.Cloud.Access;
using Mothership.Model.Validation;
using Mothership.Server.Api;
using Mothership.Server.Identity;
using Mothership.Store;

namespace Mothership.Server.Access;

/// <summary>
/// Questions to the policy in force, about the caller: <c>GET /auth/can-i?action=A&amp;resource=R&amp;object=O</c>
/// (<c>&amp;as=USER&amp;group=G</c> for an admin asking about someone else) answers
/// <c>{enforced, allowed, reason}</c>; <c>POST /auth/can-i {"questions": [...]}</c> answers several
/// at once (the dashboard hides what the caller may not do), each question naming its
/// <c>object</c>, or a <c>site</c>, or a <c>run</c> (with its <c>kind</c>) whose object the server
/// resolves; <c>GET /auth/policy</c> (get settings) shows the policy's sources and the site
/// repository's error, if any. Questions change nothing: never audited.
/// </summary>
internal static class AccessEndpoints
{
    /// <summary>The batch endpoint's path, which <see cref="RequireIdentityMiddleware"/> lets anonymous callers POST to (it only reads).</summary>
    public const string CanIPath = "/api/v1/auth/can-i";

    /// <summary>The most questions one batch may ask.</summary>
    private const int MaxQuestions = 200;

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/auth/can-i", CanIAsync).WithMetadata(new AccessRequiredMetadata());
        api.MapPost("/auth/can-i", CanIBatchAsync).WithMetadata(new AccessRequiredMetadata());
        api.MapGet("/auth/policy", PolicyAsync).RequireAccess(AccessResources.Settings, AccessActions.Get, AccessObjects.Fixed(AccessObjects.Settings));
    }

    private static async Task<IResult> CanIAsync(HttpContext context, ServerAccess access, CancellationToken ct)
    {
        var q = context.Request.Query;
        var (action, resource, obj) = (q["action"].ToString(), q["resource"].ToString(), q["object"].ToString());
        if (Invalid(action, resource, obj) is { } problem)
        {
            return problem;
        }

        var view = await access.CurrentAsync(ct).ConfigureAwait(false);
        var user = context.User;
        if (q["as"].ToString() is { Length: > 0 } other)
        {
            if (!IsAdmin(view, user))
            {
                return Problems.Of(StatusCodes.Status403Forbidden, "Forbidden", "as: only an admin (role:admin) asks about someone else");
            }

            if (other.Length > 200 || other.Any(char.IsControl))
            {
                return Problems.BadRequest("as: a user name of at most 200 characters without control characters");
            }

            user = MothershipClaims.Create(other, q["group"].Where(g => !string.IsNullOrEmpty(g)).Select(g => g!), MothershipClaims.SourceToken, admin: false, "can-i");
        }

        return Results.Json(Answer(view, ServerAccess.Decide(view, user, resource, action, obj)));
    }

    private static async Task<IResult> CanIBatchAsync(HttpContext context, ServerAccess access, IRunStore store, CancellationToken ct)
    {
        JsonArray questions;
        try
        {
            var body = await ApiContext.BodyAsync(context.Request, ct).ConfigureAwait(false);
            questions = (JsonNode.Parse(body) as JsonObject)?["questions"] as JsonArray ?? throw new FormatException("no questions array");
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or ArgumentException)
        {
            return Problems.BadRequest($"body: not a batch of questions ({e.Message.Split('\n')[0]}); send {{\"questions\": [{{\"action\": \"cancel\", \"resource\": \"runs\", \"run\": \"NAME\", \"kind\": \"PipelineRun\"}}]}}");
        }

        if (questions.Count > MaxQuestions)
        {
            return Problems.BadRequest($"questions: at most {MaxQuestions} in one request");
        }

        var view = await access.CurrentAsync(ct).ConfigureAwait(false);
        var answers = new JsonArray();
        for (var i = 0; i < questions.Count; i++)
        {
            var question = questions[i] as JsonObject;
            string? Field(string name) => question?[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            var (action, resource) = (Field("action") ?? "", Field("resource") ?? "");
            string? obj = Field("object");
            if (obj is null && Field("site") is { } site)
            {
                obj = view.SiteObject(site);
            }
            else if (obj is null && Field("run") is { } run && KubernetesNames.IsTektonName(run))
            {
                var kind = Field("kind") is "TaskRun" ? "TaskRun" : "PipelineRun";
                obj = await store.GetRunSummaryAsync(kind, run, ct).ConfigureAwait(false) is { } stored ? ServerAccess.RunObject(view, stored) : AccessObject.Unscoped(run);
            }

            if (Invalid(action, resource, obj ?? "") is not null)
            {
                return Problems.BadRequest($"questions[{i}]: give action, resource and one of object, site or run (action one of {string.Join(", ", AccessActions.All)}; resource one of {string.Join(", ", AccessResources.All)})");
            }

            answers.Add(Answer(view, ServerAccess.Decide(view, context.User, resource, action, obj!)));
        }

        return Results.Json(new JsonObject { ["enforced"] = view.Enforced, ["answers"] = answers });
    }

    private static async Task<IResult> PolicyAsync(ServerAccess access, CancellationToken ct)
    {
        var view = await access.CurrentAsync(ct).ConfigureAwait(false);
        return Results.Json(new JsonObject
        {
            ["enforced"] = view.Enforced,
            ["sources"] = new JsonArray([.. view.Policy.Sources.Select(s => (JsonNode)s.File)]),
            ["defaultRole"] = view.Policy.DefaultRole,
            ["repositoryError"] = view.RepositoryError,
        });
    }

    private static JsonObject Answer(AccessView view, AccessDecision? decision) => new()
    {
        ["enforced"] = view.Enforced,
        ["allowed"] = decision?.Allowed ?? true,
        ["reason"] = decision?.Reason ?? "no access policy is configured: the server enforces none",
    };

    /// <summary>The bootstrap admin, or a caller with role:admin.</summary>
    private static bool IsAdmin(AccessView view, System.Security.Claims.ClaimsPrincipal user) =>
        MothershipClaims.IsAdmin(user) || (view.Enforced && MothershipClaims.NameOf(user) is not null && view.Policy.RolesOf(ServerAccess.SubjectOf(user)).Contains(AccessRoles.Admin));

    private static IResult? Invalid(string action, string resource, string obj)
    {
        if (!AccessActions.All.Contains(action))
        {
            return Problems.BadRequest($"action: {KubernetesNames.Quote(action)} is not one of {string.Join(", ", AccessActions.All)}");
        }

        if (!AccessResources.All.Contains(resource))
        {
            return Problems.BadRequest($"resource: {KubernetesNames.Quote(resource)} is not one of {string.Join(", ", AccessResources.All)}");
        }

        var slash = obj.IndexOf('/', StringComparison.Ordinal);
        return slash <= 0 || slash == obj.Length - 1 || obj.Length > 300 || obj.Any(char.IsControl)
            ? Problems.BadRequest($"object: {KubernetesNames.Quote(obj)} is not ENVIRONMENT/SITE (prod/prod-kr1) or -/NAME (-/settings)")
            : null;
    }
}
