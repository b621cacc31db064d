using Mothership.Ci.Forge;

namespace Mothership.Ci.Triggers;

/// <summary>Settings of <see cref="JobTrigger"/>.</summary>
public sealed record JobTriggerOptions
{
    /// <summary>The image of the checkout step on Kubernetes (the local executor runs the host's git). Default <see cref="CloneRefs.DefaultImage"/>.</summary>
    public string CloneImage { get; init; } = CloneRefs.DefaultImage;

    /// <summary>A run's dashboard page by kind and name, for the statuses written when jobs start; null writes them without a link.</summary>
    public Func<string, string, string?>? RunUrl { get; init; }

    /// <summary>
    /// The bot's token for checking out a repository (the server's <c>GitHub:TokenFile</c>; a GitHub
    /// App's installation token), null for none; null (the default) checks out without credentials.
    /// </summary>
    public Func<RepositoryName, CancellationToken, Task<string?>>? CloneToken { get; init; }

    /// <summary>The host whose clone URLs get <see cref="CloneToken"/> (<see cref="CloneCredentials.CloneHostOf"/>); no other gets it. Default <c>github.com</c>.</summary>
    public string CloneHost { get; init; } = "github.com";
}
