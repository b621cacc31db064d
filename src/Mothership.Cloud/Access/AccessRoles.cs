using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace Mothership.Cloud.Access;

/// <summary>
/// Roles: a role is named <c>role:NAME</c> (NAME: letters, digits, <c>.</c>, <c>_</c>, <c>-</c>,
/// at most 63). Two are built in, as in Argo CD: <c>role:readonly</c> (get on everything) and
/// <c>role:admin</c> (everything); a policy may grant more to them, and its denies still win.
/// </summary>
public static partial class AccessRoles
{
    /// <summary>The prefix of every role name.</summary>
    public const string Prefix = "role:";

    /// <summary>Get on every resource and object.</summary>
    public const string ReadOnly = "role:readonly";

    /// <summary>Every action on every resource and object.</summary>
    public const string Admin = "role:admin";

    /// <summary>The built-in roles' rules, as if written in a file named <see cref="PolicyOrigin.BuiltInFile"/>.</summary>
    public static ImmutableArray<PolicyRule> BuiltInRules { get; } =
    [
        BuiltIn(ReadOnly, "*", AccessActions.Get),
        BuiltIn(Admin, "*", "*"),
    ];

    /// <summary>Whether <paramref name="name"/> is <c>role:NAME</c> with a valid NAME.</summary>
    public static bool IsRoleName(string name) => RoleName().IsMatch(name);

    private static PolicyRule BuiltIn(string role, string resource, string action) =>
        new(role, resource, action, "*", PolicyEffect.Allow, new PolicyOrigin(PolicyOrigin.BuiltInFile, 0, $"p, {role}, {resource}, {action}, *, allow"));

    [GeneratedRegex(@"^role:[A-Za-z0-9._-]{1,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex RoleName();
}
