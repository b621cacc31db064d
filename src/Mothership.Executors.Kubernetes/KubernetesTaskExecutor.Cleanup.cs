using System.Net;
using k8s;
using k8s.Autorest;
using Mothership.Engine.Execution;
using Mothership.Executors.Kubernetes.Pods;

namespace Mothership.Executors.Kubernetes;

/// <summary>
/// What a run leaves in the namespace: the claims made from its workspaces' templates (shared by
/// its TaskRuns, so they outlive each pod) and, after a server died, pods and creds-init Secrets
/// nobody follows any more. Tekton makes the PipelineRun object the claims' owner and lets Kubernetes' garbage
/// collector remove them; here runs live in Mothership's store, not in the cluster, so the
/// server releases them itself, through the <see cref="PodBuilder.RunUidLabel"/> label on both.
/// </summary>
public sealed partial class KubernetesTaskExecutor : IRunCleanup
{
    /// <summary>What this executor made: Mothership's, and this instance's (another server's, or <c>mship run</c>'s, are theirs to sweep).</summary>
    private string Managed => $"{PodBuilder.ManagedBy}=mothership,{PodBuilder.InstanceLabel}={_options.Instance}";

    public async Task<IReadOnlySet<string>> ListHoldingRunsAsync(CancellationToken cancellationToken)
    {
        var pods = await _api.ExecuteAsync(async ct => await _client.CoreV1.ListNamespacedPodAsync(_options.Namespace, labelSelector: Managed, cancellationToken: ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        var claims = await _api.ExecuteAsync(async ct => await _client.CoreV1.ListNamespacedPersistentVolumeClaimAsync(_options.Namespace, labelSelector: Managed, cancellationToken: ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        var secrets = await _api.ExecuteAsync(async ct => await _client.CoreV1.ListNamespacedSecretAsync(_options.Namespace, labelSelector: Managed, cancellationToken: ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        return pods.Items.Select(p => p.Metadata).Concat(claims.Items.Select(c => c.Metadata)).Concat(secrets.Items.Select(s => s.Metadata))
            .Select(m => m.Labels is { } labels && labels.TryGetValue(PodBuilder.RunUidLabel, out var uid) ? uid : null)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
    }

    public async Task<int> ReleaseRunAsync(string runUid, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runUid);
        // Listed, then deleted one by one: a collection delete answers with a list the client
        // cannot read back, and the count is what the server logs. A claim still mounted by a
        // pod is kept by Kubernetes until that pod is gone (its protection finalizer).
        var selector = $"{Managed},{PodBuilder.RunUidLabel}={PodBuilder.Label(runUid)}";
        var pods = await _api.ExecuteAsync(async ct => await _client.CoreV1.ListNamespacedPodAsync(_options.Namespace, labelSelector: selector, cancellationToken: ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        var claims = await _api.ExecuteAsync(async ct => await _client.CoreV1.ListNamespacedPersistentVolumeClaimAsync(_options.Namespace, labelSelector: selector, cancellationToken: ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        var secrets = await _api.ExecuteAsync(async ct => await _client.CoreV1.ListNamespacedSecretAsync(_options.Namespace, labelSelector: selector, cancellationToken: ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        var deleted = 0;
        foreach (var pod in pods.Items)
        {
            deleted += await DeleteIfPresentAsync(ct => _client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, _options.Namespace, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        }

        foreach (var secret in secrets.Items)
        {
            deleted += await DeleteIfPresentAsync(ct => _client.CoreV1.DeleteNamespacedSecretAsync(secret.Metadata.Name, _options.Namespace, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        }

        foreach (var claim in claims.Items)
        {
            deleted += await DeleteIfPresentAsync(ct => _client.CoreV1.DeleteNamespacedPersistentVolumeClaimAsync(claim.Metadata.Name, _options.Namespace, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        }

        return deleted;
    }

    private async Task<int> DeleteIfPresentAsync<T>(Func<CancellationToken, Task<T>> delete, CancellationToken cancellationToken)
    {
        try
        {
            await _api.ExecuteAsync(async ct => await delete(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            return 1;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return 0;
        }
    }
}
