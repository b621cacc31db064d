using Mothership.Model.Tekton;

namespace Mothership.Engine.Resolution.Remote;

/// <summary>
/// The Secrets a resolver may read credentials from (a git token, an http password): for
/// <c>mship run</c> those in the files given, for the server those in the body and its store.
/// </summary>
public interface IResolutionSecrets
{
    /// <summary>The Secret named <paramref name="name"/>, or null.</summary>
    Task<DataObject?> FindAsync(string name, CancellationToken cancellationToken);
}

/// <summary>Secrets looked up in a <see cref="ResourceSet"/>.</summary>
public sealed class ResourceSetSecrets(ResourceSet resources) : IResolutionSecrets
{
    public Task<DataObject?> FindAsync(string name, CancellationToken cancellationToken) => Task.FromResult(resources.FindSecret(name));
}
