namespace Mothership.Cloud.Drift;

/// <summary>How a deployed value differs from the desired one.</summary>
public enum DifferenceKind
{
    /// <summary>Deployed, but the site repository does not set it (someone set it by hand).</summary>
    Added,

    /// <summary>The site repository sets it, the release does not have it.</summary>
    Removed,

    /// <summary>Both have it, with different values.</summary>
    Changed,
}
