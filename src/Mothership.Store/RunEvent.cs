namespace Mothership.Store;

/// <summary>A Kubernetes-style event of a run (<c>Normal</c>/<c>Warning</c>, a reason, a message).</summary>
public sealed record RunEvent(string Uid, DateTimeOffset Time, string Type, string Reason, string Message);
