using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mothership.Testing.Kubernetes.Kubelet;
using Mothership.Testing.Kubernetes.Schemas;

namespace Mothership.Testing.Kubernetes;

/// <summary>
/// A Kubernetes API server for tests: real HTTP on a loopback port speaking the core/v1 REST
/// and JSON wire format (pods with watch and logs, PVCs, events, ConfigMaps, Secrets,
/// ServiceAccounts), and a kubelet that runs each pod's containers as local processes under
/// bubblewrap. Point a <c>k8s.Kubernetes</c> client at it through <see cref="KubeconfigPath"/>
/// or <see cref="CreateClient"/>; look at what happened through <see cref="Pods"/>,
/// <see cref="Events"/> and <see cref="Requests"/>; break it through <see cref="Faults"/>.
/// </summary>
/// <remarks>
/// <para>
/// The kubelet runs init containers one by one (a native sidecar, <c>restartPolicy: Always</c>,
/// is started and kept running until the main containers have ended), then the containers side by
/// side, and writes each change to the pod's status (a MODIFIED watch event): waiting, running,
/// terminated with exit code, reason (Completed, Error, OOMKilled, StartError) and the termination
/// message. It honours env (values, ConfigMap/Secret keys, fieldRef, envFrom, <c>$(VAR)</c>),
/// workingDir, volumeMounts of emptyDir, configMap, secret, downwardAPI, projected,
/// persistentVolumeClaim and hostPath volumes, activeDeadlineSeconds and graceful deletion.
/// </para>
/// <para>
/// Every object created, replaced or patched is first checked against Kubernetes' OpenAPI schema
/// for its kind (<see cref="KubernetesSchemas"/>) and refused with 422 Invalid, a cause per field,
/// as the real server refuses it; a few of the server's hand-written rules are kept too (a pod's
/// containers need a name, a unique one, and an image).
/// </para>
/// <para>
/// It does not pull or run images (a container needs <c>command</c>; the host's root filesystem
/// is its image, read-only), restart containers (every pod behaves as <c>restartPolicy: Never</c>),
/// run probes or lifecycle hooks, enforce resources, isolate the network or process ids (pods
/// share the host's network and pid namespace; SIGTERM goes to the container's whole process
/// group, not to a pid 1 alone), or inject the service-account token volume.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// await using var api = await FakeKubernetesApi.StartAsync();
/// using var client = api.CreateClient();
/// await client.CoreV1.CreateNamespacedPodAsync(pod, "default");
/// var done = await api.WaitForPodAsync("p1", p => p.Status?.Phase is "Succeeded" or "Failed");
/// </code>
/// </example>
public sealed class FakeKubernetesApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ObjectStore _store;
    private readonly ApiObjects _objects;
    private readonly FakeKubelet _kubelet;
    private readonly ConcurrentQueue<RecordedRequest> _requests;
    private readonly bool _ownsWorkDirectory;
    private int _disposed;

    private FakeKubernetesApi(
        WebApplication app, ObjectStore store, ApiObjects objects, FakeKubelet kubelet, FakeApiFaults faults,
        ConcurrentQueue<RecordedRequest> requests, FakeKubernetesApiOptions options, string workDirectory, bool ownsWorkDirectory)
    {
        _app = app;
        _store = store;
        _objects = objects;
        _kubelet = kubelet;
        _requests = requests;
        _ownsWorkDirectory = ownsWorkDirectory;
        Faults = faults;
        Options = options;
        WorkDirectory = workDirectory;
    }

    /// <summary>The server's address, <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseUri { get; private set; } = new("http://127.0.0.1/");

    /// <summary>A kubeconfig file for the server: cluster and context <c>fake</c>, a token user, the options' namespace.</summary>
    public string KubeconfigPath => Path.Combine(WorkDirectory, "kubeconfig");

    /// <summary>
    /// The flags that point <c>mship run</c> at this server: the Kubernetes executor with its
    /// kubeconfig in namespace <c>default</c>, and the images of Tekton's examples and conformance
    /// cases (<c>mirror.gcr.io</c>, <c>docker.io</c>) looked up in its registry, so that steps
    /// without a command get their image's entrypoint.
    /// </summary>
    public string[] MshipRunArgs() =>
    [
        "--executor", "kubernetes", "--kubeconfig", KubeconfigPath, "--namespace", "default",
        "--registry", $"mirror.gcr.io={BaseUri}", "--registry", $"docker.io={BaseUri}",
    ];

    /// <summary>The image registry on the same port (<see cref="BaseUri"/>): the configs of the images the kubelet knows.</summary>
    internal FakeRegistry Registry { get; private init; } = null!;

    /// <summary>Where pods' volumes and PVCs live on the host.</summary>
    public string WorkDirectory { get; }

    public FakeKubernetesApiOptions Options { get; }

    /// <summary>Fault injection: failing requests, dropped watches, expired history, evictions, lost nodes.</summary>
    public FakeApiFaults Faults { get; }

    /// <summary>Every request received so far, in order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>
    /// Exceptions the fake did not expect (its own bugs): a request answered 500 or a pod failed
    /// with reason FakeKubeletError because of them. A test may assert this is empty.
    /// </summary>
    public IReadOnlyList<Exception> Errors => [.. _kubelet.Context.Errors];

    /// <summary>The pods now, in every namespace.</summary>
    public IReadOnlyList<V1Pod> Pods => List<V1Pod>(ResourceKind.Pods);

    /// <summary>The events now, in every namespace, oldest first.</summary>
    public IReadOnlyList<Corev1Event> Events =>
        [.. List<Corev1Event>(ResourceKind.Events).OrderBy(e => long.Parse(e.ResourceVersion(), CultureInfo.InvariantCulture))];

    /// <summary>The PVCs now, in every namespace.</summary>
    public IReadOnlyList<V1PersistentVolumeClaim> PersistentVolumeClaims => List<V1PersistentVolumeClaim>(ResourceKind.PersistentVolumeClaims);

    /// <summary>The current resourceVersion of the whole store (the last write's).</summary>
    public long ResourceVersion => _store.CurrentVersion;

    /// <summary>Starts the server on a free loopback port and writes its kubeconfig.</summary>
    public static async Task<FakeKubernetesApi> StartAsync(FakeKubernetesApiOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new FakeKubernetesApiOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.WatchHistoryLimit, nameof(options.WatchHistoryLimit));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.BookmarkInterval, TimeSpan.Zero, nameof(options.BookmarkInterval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.RetryInterval, TimeSpan.Zero, nameof(options.RetryInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SchedulingDelay, TimeSpan.Zero, nameof(options.SchedulingDelay));
        // Every object sent is checked against Kubernetes' schemas: without the validator (node and
        // its npm packages) the fake does not start, and says how to install it, rather than
        // answering each request with a 500 that a client under test would retry.
        _ = KubernetesSchemaValidator.Shared;
        var owns = options.WorkDirectory is null;
        var work = options.WorkDirectory ?? Directory.CreateTempSubdirectory("mothership-fake-k8s-").FullName;
        Directory.CreateDirectory(work);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();

        // Port 0: the kernel picks a free port at bind time, so two fakes (or another test) cannot race for it.
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();

        var store = new ObjectStore(options.Time, options.WatchHistoryLimit);
        FakeKubernetesApi? api = null;
        var context = new KubeletContext(store, options, work, () => api?.BaseUri.Port ?? 0);
        var kubelet = new FakeKubelet(context);
        var objects = new ApiObjects(store, kubelet, options.Time);
        var faults = new FakeApiFaults(store, kubelet);
        var requests = new ConcurrentQueue<RecordedRequest>();
        var handler = new ApiHandler(objects, faults, options, requests, context.Errors);
        var registry = new FakeRegistry();
        app.Run(ctx => FakeRegistry.Handles(ctx.Request.Path) ? registry.HandleAsync(ctx) : handler.HandleAsync(ctx));

        api = new FakeKubernetesApi(app, store, objects, kubelet, faults, requests, options, work, owns) { Registry = registry };
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        api.BaseUri = new Uri($"http://127.0.0.1:{new Uri(address).Port}/");
        await File.WriteAllTextAsync(api.KubeconfigPath, api.Kubeconfig(), cancellationToken).ConfigureAwait(false);
        return api;
    }

    /// <summary>A client configured from <see cref="KubeconfigPath"/>, as a program under test would build it.</summary>
    public k8s.Kubernetes CreateClient() => new(KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath));

    /// <summary>
    /// Creates an object as a POST would (ConfigMap, Secret, ServiceAccount, PVC, Event, or a Pod,
    /// which then runs), in its namespace or the options' namespace. Returns it as stored.
    /// </summary>
    public T Seed<T>(T obj)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        var kind = ResourceKind.ByModel(typeof(T)) ?? throw new ArgumentException($"the fake API does not serve {typeof(T).Name}", nameof(obj));
        var ns = obj.Metadata?.NamespaceProperty ?? Options.Namespace;
        var stored = _objects.Create(kind, ns, KubeJson.ToNode(obj), dryRun: false);
        return KubeJson.To<T>(stored);
    }

    /// <summary>An object of any kind the fake serves, as stored; null when there is none.</summary>
    public T? Get<T>(string name, string ns = "default")
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var kind = ResourceKind.ByModel(typeof(T)) ?? throw new ArgumentException($"the fake API does not serve {typeof(T).Name}", nameof(T));
        return _store.Get(kind, ns, name) is { } node ? KubeJson.To<T>(node) : null;
    }

    public V1Pod? GetPod(string name, string ns = "default") =>
        _store.Get(ResourceKind.Pods, ns, name) is { } node ? KubeJson.To<V1Pod>(node) : null;

    /// <summary>The host directory behind a PVC, to look at what pods wrote there.</summary>
    public string? PersistentVolumeClaimDirectory(string name, string ns = "default") =>
        _store.Get(ResourceKind.PersistentVolumeClaims, ns, name) is { } node
            ? _kubelet.Context.ClaimDirectory(KubeJson.To<V1PersistentVolumeClaim>(node))
            : null;

    /// <summary>A container's log lines so far (empty when it has not started), with the times the kubelet read them.</summary>
    public IReadOnlyList<LogLine> ContainerLog(string pod, string container, string ns = "default") =>
        _kubelet.Worker(ns, pod)?.Log(container)?.Snapshot() ?? [];

    /// <summary>
    /// Waits until the pod satisfies <paramref name="predicate"/> (checked now and on every change
    /// to it) and returns it; null from the predicate's point of view when the pod does not exist.
    /// </summary>
    public async Task<V1Pod> WaitForPodAsync(string name, Func<V1Pod, bool> predicate, string ns = "default", CancellationToken cancellationToken = default)
    {
        var filter = new ObjectFilter(ResourceKind.Pods, ns, Fields: FieldSelector.Parse("metadata.name=" + name));
        var start = _store.Watch(filter, fromVersion: null, droppable: false);
        using var subscription = start.Subscription!;
        foreach (var e in start.Replay)
        {
            if (KubeJson.To<V1Pod>(e.Object) is var pod && predicate(pod))
            {
                return pod;
            }
        }

        await foreach (var item in subscription.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (item is WatchItem.Change { Event: { Type: not "DELETED" } e } && KubeJson.To<V1Pod>(e.Object) is var pod && predicate(pod))
            {
                return pod;
            }
        }

        throw new InvalidOperationException("the fake API server stopped");
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _store.DropWatches();
        await _kubelet.DisposeAsync().ConfigureAwait(false);

        // Whoever still waits in WaitForPodAsync hears that the server is gone rather than hanging.
        _store.DropWatches(all: true);
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        if (_ownsWorkDirectory)
        {
            try
            {
                Directory.Delete(WorkDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open (a hostPath user's): the temp directory is left to the OS.
            }
        }
    }

    private List<T> List<T>(ResourceKind kind) =>
        [.. _store.List(new ObjectFilter(kind, null)).Items.Select(KubeJson.To<T>)];

    private string Kubeconfig() => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: fake
          cluster:
            server: {BaseUri.GetLeftPart(UriPartial.Authority)}
        users:
        - name: fake
          user:
            token: {Options.Token}
        contexts:
        - name: fake
          context:
            cluster: fake
            user: fake
            namespace: {Options.Namespace}
        current-context: fake
        """;
}
