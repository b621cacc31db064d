namespace Mothership.Cloud.Values;

/// <summary>One values file that feeds a service, and which layer it is.</summary>
public sealed record ValueLayer(string Layer, string Path);
