using System.Collections.Immutable;

namespace Mothership.Cloud.Access;

/// <summary>One parsed policy source (a <c>policy.csv</c>): its rules and role bindings in file order.</summary>
public sealed record PolicyFile(string File, ImmutableArray<PolicyRule> Rules, ImmutableArray<RoleBinding> Bindings)
{
    /// <summary>A source with no lines.</summary>
    public static PolicyFile Empty(string file) => new(file, [], []);
}
