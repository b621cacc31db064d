using Mothership.Ci.Plugins.Deploy;
using Mothership.Cloud.Access;
using Mothership.Store;

namespace Mothership.Server.Access;

/// <summary>
/// The deploy plugin's questions answered by the server's policy: the GitHub user is the subject
/// <c>github:LOGIN</c> (never the bootstrap admin), the object the site's <c>ENVIRONMENT/SITE</c>;
/// each decision is audited with source <c>github</c>.
/// </summary>
internal sealed class ServerDeployPermissions(ServerAccess access, IRunStore store, TimeProvider time) : IDeployPermissions
{
    /// <summary>How a GitHub user is named in the policy: <c>github:LOGIN</c>.</summary>
    public const string SubjectPrefix = "github:";

    public async Task<DeployPermission?> CheckAsync(string login, string action, string site, CancellationToken cancellationToken)
    {
        var view = await access.CurrentAsync(cancellationToken).ConfigureAwait(false);
        if (!view.Enforced)
        {
            return null;
        }

        var subject = SubjectPrefix + login;
        var question = new AccessQuestion(AccessResources.Deploys, action, view.SiteObject(site));
        var decision = view.Policy.Decide(AccessSubject.User(subject), question.Resource, question.Action, question.Object);
        await AccessAudit.WriteAsync(store, time, subject, AccessSources.GitHub, question, decision, cancellationToken).ConfigureAwait(false);
        return new DeployPermission(decision.Allowed, decision.Rule is null ? "no rule allows it" : decision.Reason);
    }
}
