using System.Collections.Immutable;

namespace Mothership.Cloud.Access;

/// <summary>
/// A whole access policy, merged from several sources (the server's file, the site repository's
/// <c>policy.csv</c>), each line keeping its origin, plus the built-in roles
/// (<see cref="AccessRoles"/>) and an optional default role every subject has (Argo CD's
/// <c>policy.default</c>). Pure and immutable: build it once per policy revision and call
/// <see cref="Decide"/> from any thread.
/// </summary>
/// <remarks>
/// A subject is its user name and its groups; <c>g</c> lines are followed transitively (user →
/// role, group → role, role → role; a cycle is harmless). Of the rules of all those subjects that
/// cover the request, a deny wins over any allow; no match is a deny. Unlike Argo CD, where the
/// default role's permissions cannot be denied, a deny here also wins over the default role:
/// one rule ("deny wins") is easier to audit than two.
/// </remarks>
public sealed class AccessPolicy
{
    private readonly Dictionary<string, List<PolicyRule>> _rulesBySubject;
    private readonly Dictionary<string, List<RoleBinding>> _bindingsByMember;

    private AccessPolicy(ImmutableArray<PolicyFile> sources, string? defaultRole)
    {
        Sources = sources;
        DefaultRole = defaultRole;
        _rulesBySubject = AccessRoles.BuiltInRules.Concat(sources.SelectMany(s => s.Rules))
            .GroupBy(r => r.Subject, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        _bindingsByMember = sources.SelectMany(s => s.Bindings)
            .GroupBy(b => b.Member, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
    }

    /// <summary>The policy's sources, in the order given (rules of earlier sources are named first when several decide alike).</summary>
    public ImmutableArray<PolicyFile> Sources { get; }

    /// <summary>The role every subject has, or null for none.</summary>
    public string? DefaultRole { get; }

    /// <summary>
    /// A policy of <paramref name="sources"/> and <paramref name="defaultRole"/> (null or empty for
    /// none; else <c>role:NAME</c>, which may be a built-in role).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="defaultRole"/> is not a role name.</exception>
    public static AccessPolicy Create(IEnumerable<PolicyFile> sources, string? defaultRole = null)
    {
        ArgumentNullException.ThrowIfNull(sources);
        if (!string.IsNullOrEmpty(defaultRole) && !AccessRoles.IsRoleName(defaultRole))
        {
            throw new ArgumentException($"default role '{defaultRole}' is not role:NAME", nameof(defaultRole));
        }

        return new AccessPolicy([.. sources], string.IsNullOrEmpty(defaultRole) ? null : defaultRole);
    }

    /// <summary>
    /// Whether <paramref name="subject"/> may do <paramref name="action"/> on <paramref name="resource"/>
    /// <paramref name="obj"/> (an <see cref="AccessObject"/> name), and the rule that decided.
    /// </summary>
    public AccessDecision Decide(AccessSubject subject, string resource, string action, string obj)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var own = SubjectsOf(Identities(subject));
        var viaDefault = DefaultRole is null ? [] : SubjectsOf([DefaultRole]);
        PolicyRule? allow = null;
        foreach (var name in own.Concat(viaDefault.Where(s => !own.Contains(s))))
        {
            foreach (var rule in _rulesBySubject.GetValueOrDefault(name) ?? [])
            {
                if (!rule.Covers(resource, action, obj))
                {
                    continue;
                }

                if (rule.Effect == PolicyEffect.Deny)
                {
                    return new AccessDecision(false, rule, !own.Contains(rule.Subject));
                }

                allow ??= rule;
            }
        }

        return allow is null ? AccessDecision.NoMatch : new AccessDecision(true, allow, !own.Contains(allow.Subject));
    }

    /// <summary>The roles <paramref name="subject"/> has, directly or through other roles and the default role, sorted.</summary>
    public ImmutableArray<string> RolesOf(AccessSubject subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        IEnumerable<string> start = DefaultRole is null ? Identities(subject) : [.. Identities(subject), DefaultRole];
        return [.. SubjectsOf(start).Where(s => s.StartsWith(AccessRoles.Prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// The subject's name and groups, except any spelled like a role: a role is only had through a
    /// <c>g</c> line, never because an identity provider named a user or group <c>role:admin</c>.
    /// </summary>
    private static IEnumerable<string> Identities(AccessSubject subject) =>
        new[] { subject.Name }.Concat(subject.Groups).Where(s => s.Length > 0 && !s.StartsWith(AccessRoles.Prefix, StringComparison.Ordinal));

    /// <summary>
    /// <paramref name="start"/> and every role reachable from it through <c>g</c> lines, in
    /// breadth-first order; the visited set is the cycle guard.
    /// </summary>
    private List<string> SubjectsOf(IEnumerable<string> start)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var order = new List<string>();
        var queue = new Queue<string>(start);
        while (queue.TryDequeue(out var name))
        {
            if (!seen.Add(name))
            {
                continue;
            }

            order.Add(name);
            foreach (var binding in _bindingsByMember.GetValueOrDefault(name) ?? [])
            {
                queue.Enqueue(binding.Role);
            }
        }

        return order;
    }
}
