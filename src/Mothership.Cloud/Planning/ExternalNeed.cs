namespace Mothership.Cloud.Planning;

/// <summary>A wait on something the site does not deploy.</summary>
public sealed record ExternalNeed(string Service, string Needs, string Reason, bool Acknowledged);
