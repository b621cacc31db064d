using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Mothership.Cloud.Access;
using Mothership.Server.Api;
using Mothership.Server.Security;
using Mothership.Store;

namespace Mothership.Server.Access;

/// <summary>
/// The one authorization seam of the API: <c>endpoint.RequireAccess(resource, action, objectOf)</c>
/// asks <see cref="ServerAccess"/> before the handler runs, with the object resolved per request.
/// Refused: 403 problem+json naming the resource, action, object and the deny line or "no rule
/// allows it". On a mutating request (POST, PUT, PATCH, DELETE) every decision, allowed or denied,
/// goes in the audit log (<see cref="AccessAudit"/>). Nothing is asked, audited or refused while no
/// policy is configured.
/// </summary>
internal static class AccessRequirements
{
    /// <summary>Requires <paramref name="action"/> on <paramref name="resource"/> of the object <paramref name="objectOf"/> finds.</summary>
    public static TBuilder RequireAccess<TBuilder>(this TBuilder builder, string resource, string action, AccessObjectOf objectOf)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAccess(async (context, view) => [new AccessQuestion(resource, action, await objectOf(context, view).ConfigureAwait(false))]);

    /// <summary>Requires every answer of <paramref name="questions"/> (a request acting on several objects, as an apply of several definitions).</summary>
    public static TBuilder RequireAccess<TBuilder>(this TBuilder builder, Func<HttpContext, AccessView, ValueTask<IReadOnlyList<AccessQuestion>>> questions)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new AccessRequiredMetadata());
        return builder.AddEndpointFilter(async (invocation, next) =>
        {
            var context = invocation.HttpContext;
            var access = context.RequestServices.GetRequiredService<ServerAccess>();
            var view = await access.CurrentAsync(context.RequestAborted).ConfigureAwait(false);
            if (!view.Enforced)
            {
                return await next(invocation).ConfigureAwait(false);
            }

            var change = BrowserRequestRules.IsChange(context.Request.Method);
            foreach (var question in await questions(context, view).ConfigureAwait(false))
            {
                var decision = ServerAccess.Decide(view, context.User, question.Resource, question.Action, question.Object)!;
                if (change)
                {
                    await AccessAudit.WriteAsync(context.RequestServices.GetRequiredService<IRunStore>(), context.RequestServices.GetRequiredService<TimeProvider>(),
                        ApiContext.Actor(context), AccessSources.Of(context.Request), question, decision, context.RequestAborted).ConfigureAwait(false);
                }

                if (!decision.Allowed)
                {
                    return Forbidden(context, question, decision);
                }
            }

            return await next(invocation).ConfigureAwait(false);
        });
    }

    /// <summary>The 403 of a refused question: the question's parts and what decided.</summary>
    public static IResult Forbidden(HttpContext context, AccessQuestion question, AccessDecision decision)
    {
        ArgumentNullException.ThrowIfNull(context);
        var who = Identity.MothershipClaims.NameOf(context.User) is { } name ? $"'{name}'" : "an anonymous caller";
        var why = decision.Rule is null ? "no rule allows it" : $"denied by {decision.Reason}";
        var body = new JsonObject
        {
            ["type"] = "about:blank",
            ["title"] = "Forbidden",
            ["status"] = StatusCodes.Status403Forbidden,
            ["detail"] = $"{who} may not {question.Action} {question.Resource} {question.Object}: {why}",
            ["resource"] = question.Resource,
            ["action"] = question.Action,
            ["object"] = question.Object,
            ["rule"] = decision.Rule?.Origin.ToString(),
        };
        return Results.Text(body.ToJsonString(), "application/problem+json", statusCode: StatusCodes.Status403Forbidden);
    }

    /// <summary>Whether <paramref name="view"/> lets the request's caller <c>get</c> <paramref name="resource"/> <paramref name="obj"/> (for lists that filter rather than refuse).</summary>
    public static bool MayGet(HttpContext context, AccessView view, string resource, string obj) =>
        ServerAccess.Decide(view, context.User, resource, AccessActions.Get, obj) is not { Allowed: false };
}

/// <summary>Marks an endpoint that went through <see cref="AccessRequirements.RequireAccess{TBuilder}(TBuilder, string, string, AccessObjectOf)"/>.</summary>
internal sealed class AccessRequiredMetadata;
