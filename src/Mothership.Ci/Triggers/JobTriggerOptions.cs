namespace Mothership.Ci.Triggers;

/// <summary>Settings of <see cref="JobTrigger"/>.</summary>
public sealed record JobTriggerOptions
{
    /// <summary>The image of the checkout step on Kubernetes (the local executor runs the host's git). Default <see cref="CloneRefs.DefaultImage"/>.</summary>
    public string CloneImage { get; init; } = CloneRefs.DefaultImage;
}
