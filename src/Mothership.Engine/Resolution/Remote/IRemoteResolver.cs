namespace Mothership.Engine.Resolution.Remote;

/// <summary>One of Tekton's remote resolvers (git, http, hub, ...): fetches the YAML a ref names.</summary>
public interface IRemoteResolver
{
    /// <summary>The resolver's name as written in <c>resolver:</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Fetches what <paramref name="request"/> names. A failure the user can fix (unknown revision,
    /// 404, missing Secret) is a <see cref="RemoteResolutionException"/>.
    /// </summary>
    Task<ResolvedDocument> ResolveAsync(ResolutionRequest request, IResolutionSecrets secrets, CancellationToken cancellationToken);
}
