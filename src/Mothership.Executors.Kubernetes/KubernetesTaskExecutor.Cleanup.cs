using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Mothership.Engine.Execution;
using Mothership.Executors.Kubernetes.Pods;
using Mothership.Model.Tekton.Vocabulary;

namespace Mothership.Executors.Kubernetes;

/// <summary>
/// What a run leaves in the namespace: the claims made from its workspaces' templates (shared by
/// its TaskRuns, so they outlive each pod), the Secrets and ConfigMaps of its files it created
/// for its pods, and, after a server died, pods and creds-init Secrets nobody follows any more. Tekton makes the PipelineRun object the claims' owner and lets Kubernetes' garbage
/// collector remove them; here runs live in Mothership's store, not in the cluster, so the
/// server releases them itself, through the <see cref="MothershipLabels.RunUid"/> label on both.
/// </summary>
public sealed partial class KubernetesTaskExecutor : IRunCleanup
{
    /// <summary>What this executor made: Mothership's, and this instance's (another server's, or <c>mship run</c>'s, are theirs to sweep).</summary>
    private string Managed => $"{MothershipLabels.ManagedBy}={MothershipLabels.ManagedByValue},{MothershipLabels.Instance}={_options.Instance}";

    /// <summary>A kind of object the executor makes: how to list it by label and delete one. Pods first, claims last (a claim goes once no pod mounts it).</summary>
    private sealed record OwnedKind(Func<string, CancellationToken, Task<IEnumerable<V1ObjectMeta>>> List, Func<string, CancellationToken, Task> Delete);

    private IEnumerable<OwnedKind> OwnedKinds =>
    [
        new(async (selector, ct) => (await _client.CoreV1.ListNamespacedPodAsync(_options.Namespace, labelSelector: selector, cancellationToken: ct).ConfigureAwait(false)).Items.Select(p => p.Metadata),
            (name, ct) => _client.CoreV1.DeleteNamespacedPodAsync(name, _options.Namespace, cancellationToken: ct)),
        new(async (selector, ct) => (await _client.CoreV1.ListNamespacedSecretAsync(_options.Namespace, labelSelector: selector, cancellationToken: ct).ConfigureAwait(false)).Items.Select(p => p.Metadata),
            (name, ct) => _client.CoreV1.DeleteNamespacedSecretAsync(name, _options.Namespace, cancellationToken: ct)),
        new(async (selector, ct) => (await _client.CoreV1.ListNamespacedConfigMapAsync(_options.Namespace, labelSelector: selector, cancellationToken: ct).ConfigureAwait(false)).Items.Select(p => p.Metadata),
            (name, ct) => _client.CoreV1.DeleteNamespacedConfigMapAsync(name, _options.Namespace, cancellationToken: ct)),
        new(async (selector, ct) => (await _client.CoreV1.ListNamespacedPersistentVolumeClaimAsync(_options.Namespace, labelSelector: selector, cancellationToken: ct).ConfigureAwait(false)).Items.Select(p => p.Metadata),
            (name, ct) => _client.CoreV1.DeleteNamespacedPersistentVolumeClaimAsync(name, _options.Namespace, cancellationToken: ct)),
    ];

    public async Task<IReadOnlySet<string>> ListHoldingRunsAsync(CancellationToken cancellationToken)
    {
        var runs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var kind in OwnedKinds)
        {
            foreach (var metadata in await _api.ExecuteAsync(async ct => await kind.List(Managed, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false))
            {
                if (metadata.Labels is { } labels && labels.TryGetValue(MothershipLabels.RunUid, out var uid))
                {
                    runs.Add(uid);
                }
            }
        }

        return runs;
    }

    public async Task<int> ReleaseRunAsync(string runUid, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runUid);
        // Listed, then deleted one by one: a collection delete answers with a list the client
        // cannot read back, and the count is what the server logs. A claim still mounted by a
        // pod is kept by Kubernetes until that pod is gone (its protection finalizer).
        var selector = $"{Managed},{MothershipLabels.RunUid}={PodBuilder.Label(runUid)}";
        var deleted = 0;
        foreach (var kind in OwnedKinds)
        {
            foreach (var metadata in await _api.ExecuteAsync(async ct => await kind.List(selector, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false))
            {
                deleted += await DeleteIfPresentAsync(ct => kind.Delete(metadata.Name, ct), cancellationToken).ConfigureAwait(false);
            }
        }

        return deleted;
    }

    private async Task<int> DeleteIfPresentAsync(Func<CancellationToken, Task> delete, CancellationToken cancellationToken)
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
