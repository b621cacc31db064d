namespace Mothership.Ci.Forge;

/// <summary>A webhook: a repository's or an organisation's, with its id.</summary>
public sealed record WebhookRef
{
    private WebhookRef(string pathPrefix, long id)
    {
        PathPrefix = pathPrefix;
        Id = id;
    }

    /// <summary>The hook's id.</summary>
    public long Id { get; }

    /// <summary>The REST path of the hook, <c>repos/OWNER/REPO/hooks/ID</c> or <c>orgs/ORG/hooks/ID</c>.</summary>
    public string PathPrefix { get; }

    /// <summary>A repository's hook.</summary>
    public static WebhookRef Repository(RepositoryName repository, long id)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return new WebhookRef($"repos/{Uri.EscapeDataString(repository.Owner)}/{Uri.EscapeDataString(repository.Name)}/hooks/{id}", id);
    }

    /// <summary>An organisation's hook.</summary>
    public static WebhookRef Organization(string org, long id)
    {
        ArgumentException.ThrowIfNullOrEmpty(org);
        return new WebhookRef($"orgs/{Uri.EscapeDataString(org)}/hooks/{id}", id);
    }

    /// <inheritdoc/>
    public override string ToString() => PathPrefix;
}
