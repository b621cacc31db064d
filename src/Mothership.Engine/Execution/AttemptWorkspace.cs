namespace Mothership.Engine.Execution;

/// <summary>
/// A workspace of an attempt as its steps see it: where it is mounted (null when optional and not
/// bound), the claim behind it and the name of its volume, for <c>$(workspaces.NAME.…)</c>.
/// </summary>
public sealed record AttemptWorkspace(string Name, string? Path, string Claim, string Volume)
{
    public bool Bound => Path is not null;
}
