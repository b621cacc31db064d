namespace Mothership.Server.Identity;

/// <summary>Why a credential was refused, in words for the caller (the 401's detail); never holds the credential.</summary>
internal sealed class IdentityRefusal(string message) : Exception(message);
