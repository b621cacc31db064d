namespace Mothership.Engine.Resolution.Remote;

/// <summary>A remote ref that cannot be resolved for a reason the user can fix; the message names the resolver and its params.</summary>
public sealed class RemoteResolutionException(string message, Exception? inner = null) : Exception(message, inner);
