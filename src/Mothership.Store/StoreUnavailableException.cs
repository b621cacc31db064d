namespace Mothership.Store;

/// <summary>The database cannot be reached or refused the operation for infrastructure reasons; the API answers 503.</summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
