using LibGit2Sharp;
using Mothership.Ci.Forge;

namespace Mothership.Ci.Releases;

/// <summary>The forge repository a local clone came from: its <c>origin</c> remote's URL read as <c>…/owner/name(.git)</c>.</summary>
public static class OriginRemote
{
    /// <summary>The <c>owner/name</c> of the clone at <paramref name="repositoryPath"/>'s <c>origin</c>; null when it has none or its URL names no owner and name.</summary>
    public static RepositoryName? RepositoryOf(string repositoryPath)
    {
        var root = Repository.Discover(repositoryPath);
        if (root is null)
        {
            return null;
        }

        using var repository = new Repository(root);
        return repository.Network.Remotes["origin"]?.Url is { } url ? FromUrl(url) : null;
    }

    /// <summary>
    /// <c>owner/name</c> from a clone URL: <c>https://github.com/owner/name.git</c>,
    /// <c>git@github.com:owner/name.git</c>, <c>ssh://git@host/owner/name</c>; null for anything else.
    /// </summary>
    public static RepositoryName? FromUrl(string url)
    {
        var path = (url ?? "").Trim();
        if (path.Contains("://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(path, UriKind.Absolute, out var uri))
            {
                return null;
            }

            path = uri.AbsolutePath;
        }
        else if (path.IndexOf(':', StringComparison.Ordinal) is var colon and > 0)
        {
            path = path[(colon + 1)..];
        }
        else
        {
            return null;
        }

        var parts = path.Trim('/').Split('/');
        if (parts.Length < 2)
        {
            return null;
        }

        var name = parts[^1].EndsWith(".git", StringComparison.Ordinal) ? parts[^1][..^4] : parts[^1];
        return RepositoryName.TryParse(parts[^2] + "/" + name, out var parsed) && parsed.Owner.Length > 0 && name.Length > 0 ? parsed : null;
    }
}
