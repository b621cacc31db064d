namespace Mothership.Ci.Plugins.Deploy;

/// <summary>
/// The access policy as the deploy plugin asks it (the server answers from its policy, where a
/// GitHub user is the subject <c>github:LOGIN</c>, and audits each decision with source
/// <c>github</c>). Kept to strings so this project needs none of the server's types.
/// </summary>
public interface IDeployPermissions
{
    /// <summary>
    /// Whether GitHub user <paramref name="login"/> may do <paramref name="action"/> (<see cref="Create"/>
    /// or <see cref="Cancel"/>) on the deploys of <paramref name="site"/>; null when no policy is
    /// enforced (then the collaborator check alone decides).
    /// </summary>
    Task<DeployPermission?> CheckAsync(string login, string action, string site, CancellationToken cancellationToken);

    /// <summary>The policy's action of starting a deploy.</summary>
    public const string Create = "create";

    /// <summary>The policy's action of stopping a deploy.</summary>
    public const string Cancel = "cancel";
}
