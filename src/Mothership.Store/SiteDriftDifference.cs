namespace Mothership.Store;

/// <summary>
/// One differing value of a <see cref="SiteDriftService"/>: its dotted path, how it differs
/// (<c>Added</c>, <c>Removed</c>, <c>Changed</c>) and both sides as JSON text (null when absent;
/// masked under a secret key, as the drift check gave them).
/// </summary>
public sealed record SiteDriftDifference(string Path, string Kind, string? Desired, string? Deployed);
