namespace Mothership.Ci.Forge;

/// <summary>A webhook: a repository's or an organisation's, with its id.</summary>
public sealed record WebhookRef
{
    private WebhookRef(string pathPrefix, long id, RepositoryName? repository, string? organization)
    {
        PathPrefix = pathPrefix;
        Id = id;
        OwningRepository = repository;
        OwningOrganization = organization;
    }

    /// <summary>The hook's id.</summary>
    public long Id { get; }

    /// <summary>The REST path of the hook, <c>repos/OWNER/REPO/hooks/ID</c> or <c>orgs/ORG/hooks/ID</c>.</summary>
    public string PathPrefix { get; }

    /// <summary>The repository whose hook it is; null for an organisation's.</summary>
    public RepositoryName? OwningRepository { get; }

    /// <summary>The organisation whose hook it is; null for a repository's.</summary>
    public string? OwningOrganization { get; }

    /// <summary>A repository's hook.</summary>
    public static WebhookRef Repository(RepositoryName repository, long id)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return new WebhookRef($"repos/{Uri.EscapeDataString(repository.Owner)}/{Uri.EscapeDataString(repository.Name)}/hooks/{id}", id, repository, null);
    }

    /// <summary>An organisation's hook.</summary>
    public static WebhookRef Organization(string org, long id)
    {
        ArgumentException.ThrowIfNullOrEmpty(org);
        return new WebhookRef($"orgs/{Uri.EscapeDataString(org)}/hooks/{id}", id, null, org);
    }

    /// <inheritdoc/>
    public override string ToString() => PathPrefix;
}
