using System.Globalization;
using k8s.Models;

namespace Mothership.Testing.Kubernetes.Kubelet;

/// <summary>What the kubelet simulation shares with the API: the store, the options, where files go, and how events are written.</summary>
internal sealed class KubeletContext(ObjectStore store, FakeKubernetesApiOptions options, string workDirectory, Func<int> port)
{
    private long _events;

    /// <summary>Unexpected exceptions of the fake itself (its bugs), in the API and the kubelet.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<Exception> Errors { get; } = new();

    public ObjectStore Store => store;

    public FakeKubernetesApiOptions Options => options;

    public TimeProvider Time => options.Time;

    public int Port => port();

    public string PodDirectory(string ns, string name, string uid) => Path.Combine(workDirectory, "pods", ns, $"{name}-{uid}");

    /// <summary>The host directory that stands for a claim's volume, made on first use.</summary>
    public string ClaimDirectory(V1PersistentVolumeClaim claim)
    {
        var dir = Path.Combine(workDirectory, "pvcs", claim.Namespace(), $"{claim.Name()}-{claim.Uid()}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Writes an event about a pod, as the kubelet (or the scheduler) posts one.</summary>
    public void RecordEvent(V1Pod pod, string type, string reason, string message, string? fieldPath = null, string component = "kubelet")
    {
        var now = Time.GetUtcNow();
        var number = Interlocked.Increment(ref _events);
        var e = new Corev1Event
        {
            Metadata = new V1ObjectMeta
            {
                Name = $"{pod.Name()}.{now.UtcTicks:x}{number:x}",
                NamespaceProperty = pod.Namespace(),
            },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = "v1",
                Kind = "Pod",
                Name = pod.Name(),
                NamespaceProperty = pod.Namespace(),
                Uid = pod.Uid(),
                FieldPath = fieldPath,
            },
            Type = type,
            Reason = reason,
            Message = message,
            Source = new V1EventSource { Component = component, Host = component == "kubelet" ? options.NodeName : null },
            ReportingComponent = component,
            ReportingInstance = component == "kubelet" ? options.NodeName : "",
            FirstTimestamp = KubeJson.Seconds(now),
            LastTimestamp = KubeJson.Seconds(now),
            Count = 1,
        };
        store.Create(ResourceKind.Events, KubeJson.ToNode(e));
    }

    public static string FieldPath(V1Container container, bool init) =>
        string.Create(CultureInfo.InvariantCulture, $"spec.{(init ? "initContainers" : "containers")}{{{container.Name}}}");
}
