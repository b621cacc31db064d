namespace Mothership.Cloud.Access;

/// <summary>What a matching <c>p</c> line does; a deny wins over any allow.</summary>
public enum PolicyEffect
{
    /// <summary><c>allow</c>.</summary>
    Allow,

    /// <summary><c>deny</c>.</summary>
    Deny,
}
