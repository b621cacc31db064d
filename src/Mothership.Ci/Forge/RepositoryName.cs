namespace Mothership.Ci.Forge;

/// <summary>A repository on a forge: its owner (user or organisation) and its name, <c>owner/name</c>.</summary>
/// <param name="Owner">The user or organisation that owns it (<c>kubernetes</c>).</param>
/// <param name="Name">The repository's name (<c>test-infra</c>).</param>
public sealed record RepositoryName(string Owner, string Name)
{
    /// <summary>Reads <c>owner/name</c>; refuses anything else.</summary>
    public static RepositoryName Parse(string fullName) =>
        TryParse(fullName, out var name) ? name : throw new FormatException($"'{fullName}' is not a repository name: write owner/name");

    /// <summary>Reads <c>owner/name</c>; false for anything else.</summary>
    public static bool TryParse(string? fullName, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RepositoryName? name)
    {
        name = null;
        var slash = fullName?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (fullName is null || slash <= 0 || slash == fullName.Length - 1 || fullName.IndexOf('/', slash + 1) >= 0)
        {
            return false;
        }

        name = new RepositoryName(fullName[..slash], fullName[(slash + 1)..]);
        return true;
    }

    /// <summary><c>owner/name</c>.</summary>
    public override string ToString() => Owner + "/" + Name;
}
