namespace Mothership.Ci.Triggers;

/// <summary>Settings of <see cref="JobTrigger"/>.</summary>
public sealed record JobTriggerOptions
{
    /// <summary>The image of the checkout step on Kubernetes (the local executor runs the host's git). Default <see cref="CloneRefs.DefaultImage"/>.</summary>
    public string CloneImage { get; init; } = CloneRefs.DefaultImage;

    /// <summary>A run's dashboard page by kind and name, for the statuses written when jobs start; null writes them without a link.</summary>
    public Func<string, string, string?>? RunUrl { get; init; }
}
