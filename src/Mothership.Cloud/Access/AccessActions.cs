using System.Collections.Immutable;

namespace Mothership.Cloud.Access;

/// <summary>The actions an access policy names (the fourth field of a <c>p</c> line).</summary>
public static class AccessActions
{
    /// <summary>Read: list, describe, logs.</summary>
    public const string Get = "get";

    /// <summary>Create: start a run, apply a definition, start a deploy or rollout.</summary>
    public const string Create = "create";

    /// <summary>Cancel something running.</summary>
    public const string Cancel = "cancel";

    /// <summary>Run something again (a run, a failed deploy resumed).</summary>
    public const string Rerun = "rerun";

    /// <summary>Delete.</summary>
    public const string Delete = "delete";

    /// <summary>Approve: let a waiting deploy, rollout or approval task go on.</summary>
    public const string Approve = "approve";

    /// <summary>Every action, in the order error messages list them.</summary>
    public static ImmutableArray<string> All { get; } = [Get, Create, Cancel, Rerun, Delete, Approve];
}
