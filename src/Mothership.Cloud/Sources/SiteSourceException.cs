namespace Mothership.Cloud.Sources;

/// <summary>A site repository that cannot be read as asked (no git repository, unknown revision).</summary>
public sealed class SiteSourceException(string message) : Exception(message);
