namespace Mothership.Ci.Plugins.Deploy;

/// <summary>The policy's answer to the deploy plugin: allowed or not, and the line that decided (for the reply).</summary>
public sealed record DeployPermission(bool Allowed, string Reason);
