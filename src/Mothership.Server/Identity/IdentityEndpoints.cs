using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mothership.Model.Validation;
using Mothership.Server.Api;
using Microsoft.Extensions.DependencyInjection;
using Mothership.Store;

namespace Mothership.Server.Identity;

/// <summary>
/// Who the caller is and their personal tokens: <c>GET /whoami</c>; <c>POST /tokens
/// {description, expiresIn, owner}</c> (201 with the token's text, the only time it is shown;
/// another owner than yourself only as admin); <c>GET /tokens</c> (yours, everyone's for admin;
/// never a secret); <c>DELETE /tokens/{id}</c> (revoke yours, or any as admin). Until the policy
/// engine decides, "admin" is <see cref="MothershipClaims.AdminRole"/>.
/// </summary>
internal static class IdentityEndpoints
{
    private const string NeedIdentity = "personal tokens belong to an authenticated caller: pass --token or set MSHIP_TOKEN "
        + "(the server's token, a personal token or an OIDC token); a server without any (Mothership__Token, Mothership__Auth__Oidc__Issuer) has no tokens";

    public static void Map(IEndpointRouteBuilder api)
    {
        // About the caller and their own tokens: other people's tokens are asked of the policy inside (MayManageOthersAsync).
        api.MapGet("/whoami", WhoAmIAsync).WithMetadata(new Access.AccessRequiredMetadata());
        api.MapPost("/tokens", CreateAsync).WithMetadata(new Access.AccessRequiredMetadata());
        api.MapGet("/tokens", ListAsync).WithMetadata(new Access.AccessRequiredMetadata());
        api.MapDelete("/tokens/{id}", RevokeAsync).WithMetadata(new Access.AccessRequiredMetadata());
    }

    private static async Task<IResult> WhoAmIAsync(HttpContext context, Access.ServerAccess access, CancellationToken ct)
    {
        var user = context.User;
        if (MothershipClaims.NameOf(user) is not { } name)
        {
            // A credential that was refused is an error here, where the caller asks whether it works.
            return await CallerIdentity.RefusalAsync(context).ConfigureAwait(false) is not null
                ? await CallerIdentity.UnauthorizedAsync(context, "").ConfigureAwait(false)
                : Results.Json(new JsonObject { ["name"] = "anonymous", ["groups"] = new JsonArray(), ["source"] = "none", ["admin"] = false });
        }

        return Results.Json(new JsonObject
        {
            ["name"] = name,
            ["groups"] = new JsonArray([.. MothershipClaims.GroupsOf(user).Select(g => (JsonNode)g)]),
            ["source"] = MothershipClaims.SourceOf(user),
            ["admin"] = MothershipClaims.IsAdmin(user),
            ["roles"] = new JsonArray([.. (await access.RolesOfAsync(user, ct).ConfigureAwait(false)).Select(r => (JsonNode)r)]),
        });
    }

    private static async Task<IResult> CreateAsync(HttpContext context, IRunStore store, TimeProvider time, Access.ServerAccess access, CancellationToken ct)
    {
        if (MothershipClaims.NameOf(context.User) is not { } caller)
        {
            return await CallerIdentity.UnauthorizedAsync(context, NeedIdentity).ConfigureAwait(false);
        }

        JsonObject request;
        try
        {
            var body = await ApiContext.BodyAsync(context.Request, ct).ConfigureAwait(false);
            request = string.IsNullOrWhiteSpace(body) ? [] : JsonNode.Parse(body) as JsonObject ?? throw new FormatException("not a JSON object");
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return Problems.BadRequest($"body: not a token request ({e.Message.Split('\n')[0]}); send {{\"description\": \"...\", \"expiresIn\": \"30d\"}}");
        }

        if (!TryText(request, "description", 200, out var description, out var problem) || !TryText(request, "expiresIn", 40, out var expiresIn, out problem)
            || !TryText(request, "owner", 100, out var owner, out problem))
        {
            return problem;
        }

        if (ApiTokenText.ParseLifetime(expiresIn, out var lifetimeError) is not { } lifetime)
        {
            return Problems.BadRequest($"expiresIn: {lifetimeError}");
        }

        owner = string.IsNullOrWhiteSpace(owner) ? caller : owner.Trim();
        if (owner.StartsWith(Access.ServerDeployPermissions.SubjectPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return Problems.BadRequest($"owner: {KubernetesNames.Quote(owner)} starts with '{Access.ServerDeployPermissions.SubjectPrefix}', which names GitHub users in the access policy; a token cannot act as one");
        }

        if (owner != caller && !await MayManageOthersAsync(context, access, Mothership.Cloud.Access.AccessActions.Create, ct).ConfigureAwait(false))
        {
            return Forbidden($"owner: only an admin creates tokens for someone else ({KubernetesNames.Quote(caller)} asked for {KubernetesNames.Quote(owner)})");
        }

        var now = time.GetUtcNow();
        var text = ApiTokenText.New();
        var token = new ApiToken
        {
            Id = ApiTokenText.NewId(),
            Owner = owner,
            Description = description ?? "",
            Hash = ApiTokenText.Hash(text),
            CreatedAt = now,
            ExpiresAt = now + lifetime,
        };
        await store.CreateApiTokenAsync(token, ct).ConfigureAwait(false);
        await store.AddAuditAsync(new AuditRecord(now, ApiContext.Actor(context), "create", "ApiToken", token.Id, null, $"for {owner}, expires {token.ExpiresAt:O}"), ct)
            .ConfigureAwait(false);
        var created = TokenObject(token, now);
        created["token"] = text;
        return Results.Json(created, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListAsync(HttpContext context, IRunStore store, TimeProvider time, Access.ServerAccess access, CancellationToken ct)
    {
        if (MothershipClaims.NameOf(context.User) is not { } caller)
        {
            return await CallerIdentity.UnauthorizedAsync(context, NeedIdentity).ConfigureAwait(false);
        }

        var everyone = await MayManageOthersAsync(context, access, Mothership.Cloud.Access.AccessActions.Get, ct).ConfigureAwait(false);
        var tokens = await store.ListApiTokensAsync(everyone ? null : caller, ct).ConfigureAwait(false);
        var now = time.GetUtcNow();
        return Results.Json(new JsonObject { ["items"] = new JsonArray([.. tokens.Select(t => (JsonNode)TokenObject(t, now))]) });
    }

    private static async Task<IResult> RevokeAsync(string id, HttpContext context, IRunStore store, TimeProvider time, Access.ServerAccess access, CancellationToken ct)
    {
        if (MothershipClaims.NameOf(context.User) is not { } caller)
        {
            return await CallerIdentity.UnauthorizedAsync(context, NeedIdentity).ConfigureAwait(false);
        }

        // Someone else's token is as unknown to the caller as a token that does not exist.
        if (id.Length > 64 || await store.GetApiTokenAsync(id, ct).ConfigureAwait(false) is not { } token
            || (token.Owner != caller && !await MayManageOthersAsync(context, access, Mothership.Cloud.Access.AccessActions.Delete, ct).ConfigureAwait(false)))
        {
            return Problems.NotFound($"token {KubernetesNames.Quote(id)}");
        }

        var now = time.GetUtcNow();
        if (await store.RevokeApiTokenAsync(id, now, ct).ConfigureAwait(false))
        {
            await store.AddAuditAsync(new AuditRecord(now, ApiContext.Actor(context), "revoke", "ApiToken", id, null, $"of {token.Owner}"), ct).ConfigureAwait(false);
        }

        return Results.Json(TokenObject(await store.GetApiTokenAsync(id, ct).ConfigureAwait(false) ?? token, now));
    }

    /// <summary>A token as the API shows it: never its text nor its hash.</summary>
    private static JsonObject TokenObject(ApiToken token, DateTimeOffset now) => new()
    {
        ["id"] = token.Id,
        ["owner"] = token.Owner,
        ["description"] = token.Description,
        ["createdAt"] = token.CreatedAt,
        ["expiresAt"] = token.ExpiresAt,
        ["revokedAt"] = token.RevokedAt,
        ["lastUsedAt"] = token.LastUsedAt,
        ["state"] = token.RevokedAt is not null ? "revoked" : token.ExpiresAt <= now ? "expired" : "active",
    };

    /// <summary>The object of other people's tokens: <c>-/tokens</c> (settings). Your own tokens need only your identity.</summary>
    public static readonly string TokensObject = Mothership.Cloud.Access.AccessObject.Unscoped("tokens");

    /// <summary>
    /// Whether the caller may act on other people's tokens: the bootstrap admin always; with a policy,
    /// <paramref name="action"/> on settings <see cref="TokensObject"/> (audited when it changes something); without one, only the admin.
    /// </summary>
    private static async Task<bool> MayManageOthersAsync(HttpContext context, Access.ServerAccess access, string action, CancellationToken ct)
    {
        var question = new Access.AccessQuestion(Mothership.Cloud.Access.AccessResources.Settings, action, TokensObject);
        if (Access.ServerAccess.Decide(await access.CurrentAsync(ct).ConfigureAwait(false), context.User, question.Resource, question.Action, question.Object) is not { } decision)
        {
            return MothershipClaims.IsAdmin(context.User);
        }

        if (action != Mothership.Cloud.Access.AccessActions.Get)
        {
            await Access.AccessAudit.WriteAsync(context.RequestServices.GetRequiredService<IRunStore>(), context.RequestServices.GetRequiredService<TimeProvider>(),
                ApiContext.Actor(context), Access.AccessSources.Of(context.Request), question, decision, ct).ConfigureAwait(false);
        }

        return decision.Allowed;
    }

    private static IResult Forbidden(string detail) => Problems.Of(StatusCodes.Status403Forbidden, "Forbidden", detail);

    /// <summary>An optional string field of at most <paramref name="max"/> characters without control characters.</summary>
    private static bool TryText(JsonObject request, string field, int max, out string? value, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out IResult? problem)
    {
        value = null;
        problem = null;
        var node = request[field];
        if (node is null)
        {
            return true;
        }

        if (node is not JsonValue v || !v.TryGetValue(out value) || value.Length > max || value.Any(char.IsControl))
        {
            problem = Problems.BadRequest($"{field}: a string of at most {max} characters without control characters");
            return false;
        }

        return true;
    }
}
