namespace Mothership.Ci.Forge;

/// <summary>A repository on a forge: its owner (user or organisation) and its name, <c>owner/name</c>.</summary>
/// <param name="Owner">The user or organisation that owns it (<c>kubernetes</c>).</param>
/// <param name="Name">The repository's name (<c>test-infra</c>).</param>
public sealed record RepositoryName(string Owner, string Name)
{
    /// <summary>Reads <c>owner/name</c>; refuses anything else.</summary>
    public static RepositoryName Parse(string fullName)
    {
        ArgumentNullException.ThrowIfNull(fullName);
        var slash = fullName.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == fullName.Length - 1 || fullName.IndexOf('/', slash + 1) >= 0)
        {
            throw new FormatException($"'{fullName}' is not a repository name: write owner/name");
        }

        return new RepositoryName(fullName[..slash], fullName[(slash + 1)..]);
    }

    /// <summary><c>owner/name</c>.</summary>
    public override string ToString() => Owner + "/" + Name;
}
