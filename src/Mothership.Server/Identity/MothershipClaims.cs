using System.Security.Claims;

namespace Mothership.Server.Identity;

/// <summary>
/// The one claims contract of the server: whatever authenticated a request (the bootstrap token,
/// a personal API token, an OIDC bearer token), the request's <see cref="ClaimsPrincipal"/> says
/// who the caller is in these claims only, and the policy enforcement reads only these.
/// <list type="bullet">
/// <item><see cref="Name"/> (exactly one): the login the policy and the audit trail use — <c>admin</c>
/// for the bootstrap token (<see cref="BootstrapName"/>), the owner for a personal token, the OIDC
/// token's configured name claim (<c>preferred_username</c> by default, else <c>sub</c>).</item>
/// <item><see cref="Groups"/> (zero or more): the groups of an OIDC token (its configured groups
/// claim); personal and bootstrap tokens carry none.</item>
/// <item><see cref="Role"/>: <see cref="AdminRole"/> for the bootstrap principal only (until the
/// policy engine decides, "admin" means this role).</item>
/// <item><see cref="Source"/> (exactly one): <see cref="SourceBootstrap"/>, <see cref="SourceToken"/>
/// or <see cref="SourceOidc"/>.</item>
/// </list>
/// The identity's name and role types are <see cref="Name"/> and <see cref="Role"/>, so
/// <c>Identity.Name</c> and <c>IsInRole</c> work. No other claim of an OIDC token is kept.
/// </summary>
public static class MothershipClaims
{
    /// <summary>The claim type of the caller's login.</summary>
    public const string Name = "name";

    /// <summary>The claim type of a group, one claim per group.</summary>
    public const string Groups = "groups";

    /// <summary>The claim type of a role.</summary>
    public const string Role = "role";

    /// <summary>The claim type saying which credential authenticated the caller.</summary>
    public const string Source = "mothership/source";

    /// <summary>The role of the bootstrap principal.</summary>
    public const string AdminRole = "admin";

    /// <summary>The login of the bootstrap principal.</summary>
    public const string BootstrapName = "admin";

    /// <summary><see cref="Source"/> of the shared bootstrap token (<c>Mothership__Token</c>).</summary>
    public const string SourceBootstrap = "bootstrap";

    /// <summary><see cref="Source"/> of a personal API token.</summary>
    public const string SourceToken = "token";

    /// <summary><see cref="Source"/> of an OIDC bearer token.</summary>
    public const string SourceOidc = "oidc";

    /// <summary>A principal in this contract, authenticated by <paramref name="authenticationType"/> (a scheme name).</summary>
    public static ClaimsPrincipal Create(string name, IEnumerable<string> groups, string source, bool admin, string authenticationType)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var claims = new List<Claim> { new(Name, name), new(Source, source) };
        claims.AddRange(groups.Distinct(StringComparer.Ordinal).Select(g => new Claim(Groups, g)));
        if (admin)
        {
            claims.Add(new Claim(Role, AdminRole));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType, Name, Role));
    }

    /// <summary>The caller's login; null when the principal is not authenticated.</summary>
    public static string? NameOf(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true ? user.FindFirst(Name)?.Value : null;

    /// <summary>The caller's groups (none when not authenticated).</summary>
    public static IReadOnlyList<string> GroupsOf(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true ? [.. user.FindAll(Groups).Select(c => c.Value)] : [];

    /// <summary>Which credential authenticated the caller; null when none did.</summary>
    public static string? SourceOf(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true ? user.FindFirst(Source)?.Value : null;

    /// <summary>Whether the caller holds <see cref="AdminRole"/>.</summary>
    public static bool IsAdmin(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && user.HasClaim(Role, AdminRole);
}
