using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Mothership.Testing.Kubernetes;
using Mothership.Testing.Kubernetes.Kubelet;
using Mothership.Testing.Kubernetes.Schemas;

namespace Mothership.Executors.Kubernetes.Tests.FakeApi;

/// <summary>The fake API server and its kubelet, driven through the real KubernetesClient over HTTP.</summary>
public sealed class FakeKubernetesApiTests
{
    private const string Ns = "default";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 60_000)]
    public async Task CreatePod_InitContainersThenMain_RunInOrder()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();

        var pod = Pod("ordered",
            [Sh("main", "echo main")],
            init: [Sh("first", "echo first-start; sleep 0.2; echo first-end"), Sh("second", "echo second")]);
        var created = await client.CoreV1.CreateNamespacedPodAsync(pod, Ns, cancellationToken: Ct);
        Assert.Equal("Pending", created.Status.Phase);
        Assert.False(string.IsNullOrEmpty(created.Uid()));

        var done = await WaitForPhaseAsync(api, "ordered", "Succeeded");

        var first = await LogLinesAsync(client, "ordered", "first", timestamps: true);
        var second = await LogLinesAsync(client, "ordered", "second", timestamps: true);
        var main = await LogLinesAsync(client, "ordered", "main", timestamps: true);
        Assert.Equal(["first-start", "first-end"], first.Select(l => l.Text));
        Assert.Equal(["second"], second.Select(l => l.Text));
        Assert.Equal(["main"], main.Select(l => l.Text));
        Assert.True(first[^1].At < second[0].At, "the second init container printed before the first ended");
        Assert.True(second[0].At < main[0].At, "the main container printed before the init containers ended");

        var init = done.Status.InitContainerStatuses;
        Assert.All(init.Concat(done.Status.ContainerStatuses), s => Assert.Equal((0, "Completed"), (s.State.Terminated.ExitCode, s.State.Terminated.Reason)));
        Assert.True(init[0].State.Terminated.FinishedAt <= init[1].State.Terminated.StartedAt);
        Assert.True(init[1].State.Terminated.FinishedAt <= done.Status.ContainerStatuses[0].State.Terminated.StartedAt);
        Assert.Contains(done.Status.Conditions, c => c.Type == "Initialized" && c.Status == "True");
        Assert.Equal(api.Options.NodeName, done.Spec.NodeName);
        Assert.Empty(api.Errors);
    }

    [Fact(Timeout = 60_000)]
    public async Task CreatePod_FailingInitContainer_FailsPodAndNextNeverStarts()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();

        await client.CoreV1.CreateNamespacedPodAsync(
            Pod("broken", [Sh("main", "echo main")], init: [Sh("fails", "echo oops; exit 3"), Sh("after", "echo after")]), Ns, cancellationToken: Ct);
        var done = await WaitForPhaseAsync(api, "broken", "Failed");

        var fails = done.Status.InitContainerStatuses[0].State.Terminated;
        Assert.Equal((3, "Error"), (fails.ExitCode, fails.Reason));
        Assert.NotNull(done.Status.InitContainerStatuses[1].State.Waiting);
        Assert.NotNull(done.Status.ContainerStatuses[0].State.Waiting);
        Assert.Contains(done.Status.Conditions, c => c.Type == "Initialized" && c.Status == "False");
        Assert.Empty(api.ContainerLog("broken", "after"));

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => LogLinesAsync(client, "broken", "after"));
        Assert.Equal(HttpStatusCode.BadRequest, error.Response.StatusCode);
        Assert.Contains("is waiting to start", error.Response.Content, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task CreatePod_NativeSidecar_RunsAlongsideMainAndStopsAfterIt()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();

        var sidecar = Sh("proxy", "trap 'echo stopping; exit 0' TERM; echo up > /shared/ready; while true; do sleep 0.05; done", Mount("shared", "/shared"));
        sidecar.RestartPolicy = "Always";
        var pod = Pod("sidecar",
            [Sh("main", "while [ ! -f /shared/ready ]; do sleep 0.05; done; echo saw $(cat /shared/ready)", Mount("shared", "/shared"))],
            init: [sidecar, Sh("setup", "echo setup")],
            volumes: [new V1Volume { Name = "shared", EmptyDir = new V1EmptyDirVolumeSource() }]);
        await client.CoreV1.CreateNamespacedPodAsync(pod, Ns, cancellationToken: Ct);

        var running = await api.WaitForPodAsync("sidecar", p => p.Status?.InitContainerStatuses?[0].State?.Running is not null, cancellationToken: Ct);
        Assert.True(running.Status.InitContainerStatuses[0].Started);

        var done = await WaitForPhaseAsync(api, "sidecar", "Succeeded");
        Assert.Equal(["saw up"], (await LogLinesAsync(client, "sidecar", "main")).Select(l => l.Text));
        Assert.Equal("stopping", (await LogLinesAsync(client, "sidecar", "proxy"))[^1].Text);
        var proxy = done.Status.InitContainerStatuses[0].State.Terminated;
        var main = done.Status.ContainerStatuses[0].State.Terminated;
        Assert.Equal(0, proxy.ExitCode);
        Assert.True(proxy.FinishedAt >= main.FinishedAt, "the sidecar ended before the main container");
        Assert.Contains(api.Events, e => e.Reason == "Killing" && e.InvolvedObject.FieldPath == "spec.initContainers{proxy}");
    }

    [Fact(Timeout = 60_000)]
    public async Task NativeSidecar_WithoutStartupProbe_NextInitContainerStartsAfterARelist()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();

        // What a real kubelet gives too: the sidecar's first action is done before the next container runs.
        var sidecar = Sh("writer", "echo foo > /shared/value; exec sleep 30", Mount("shared", "/shared"));
        sidecar.RestartPolicy = "Always";
        await client.CoreV1.CreateNamespacedPodAsync(
            Pod("relist", [Sh("main", "true")], init: [sidecar, Sh("reader", "cat /shared/value", Mount("shared", "/shared"))],
                volumes: [new V1Volume { Name = "shared", EmptyDir = new V1EmptyDirVolumeSource() }]), Ns, cancellationToken: Ct);

        var done = await WaitForPhaseAsync(api, "relist", "Succeeded");
        Assert.Equal(["foo"], (await LogLinesAsync(client, "relist", "reader")).Select(l => l.Text));
        Assert.True(done.Status.InitContainerStatuses[1].State.Terminated.StartedAt >= done.Status.InitContainerStatuses[0].State.Terminated.StartedAt);
    }

    [Fact(Timeout = 60_000)]
    public async Task NativeSidecar_ExecStartupProbe_NextInitContainerWaitsForItsSuccess()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();

        var sidecar = Sh("slow", "sleep 1.5; touch /shared/ready; exec sleep 30", Mount("shared", "/shared"));
        sidecar.RestartPolicy = "Always";
        sidecar.StartupProbe = new V1Probe { Exec = new V1ExecAction { Command = ["test", "-f", "/shared/ready"] }, PeriodSeconds = 1, FailureThreshold = 10 };
        await client.CoreV1.CreateNamespacedPodAsync(
            Pod("startup", [Sh("main", "true")], init: [sidecar, Sh("check", "cat /shared/ready && echo ready", Mount("shared", "/shared"))],
                volumes: [new V1Volume { Name = "shared", EmptyDir = new V1EmptyDirVolumeSource() }]), Ns, cancellationToken: Ct);

        var running = await api.WaitForPodAsync("startup", p => p.Status?.InitContainerStatuses?[0].State?.Running is not null, cancellationToken: Ct);
        Assert.False(running.Status.InitContainerStatuses[0].Started);
        await WaitForPhaseAsync(api, "startup", "Succeeded");
        Assert.Equal(["ready"], (await LogLinesAsync(client, "startup", "check")).Select(l => l.Text));
        Assert.Contains(api.Events, e => e.Reason == "Unhealthy" && e.Message.StartsWith("Startup probe failed", StringComparison.Ordinal) && e.InvolvedObject.FieldPath == "spec.initContainers{slow}");
    }

    [Fact(Timeout = 60_000)]
    public async Task NativeSidecar_TcpAndHttpStartupProbes_SucceedOnceThePortsAnswer()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();
        static int FreePort()
        {
            using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            return ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var (tcpPort, httpPort) = (FreePort(), FreePort());
        using var tcp = new System.Net.Sockets.TcpListener(IPAddress.Loopback, tcpPort);
        using var http = new System.Net.Sockets.TcpListener(IPAddress.Loopback, httpPort);

        var byNumber = Sh("tcp", "exec sleep 30");
        byNumber.RestartPolicy = "Always";
        byNumber.StartupProbe = new V1Probe { TcpSocket = new V1TCPSocketAction { Port = tcpPort }, PeriodSeconds = 1, FailureThreshold = 30 };
        var byName = Sh("http", "exec sleep 30");
        byName.RestartPolicy = "Always";
        byName.Ports = [new V1ContainerPort { Name = "health", ContainerPort = httpPort }];
        byName.StartupProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Port = "health", Path = "/healthz" }, PeriodSeconds = 1, FailureThreshold = 30 };
        await client.CoreV1.CreateNamespacedPodAsync(Pod("ports", [Sh("main", "true")], init: [byNumber, byName, Sh("after", "echo after")]), Ns, cancellationToken: Ct);

        await PollAsync(() => api.Events.Any(e => e.Reason == "Unhealthy" && e.InvolvedObject.FieldPath == "spec.initContainers{tcp}"));
        Assert.Empty(api.ContainerLog("ports", "http"));
        tcp.Start();
        await PollAsync(() => api.Events.Any(e => e.Reason == "Unhealthy" && e.InvolvedObject.FieldPath == "spec.initContainers{http}"));
        Assert.Empty(api.ContainerLog("ports", "after"));

        http.Start();
        var answered = Task.Run(async () =>
        {
            using var socket = await http.AcceptSocketAsync(Ct);
            var buffer = new byte[4096];
            var read = await socket.ReceiveAsync(buffer, Ct);
            Assert.StartsWith("GET /healthz HTTP/1.1", Encoding.ASCII.GetString(buffer, 0, read), StringComparison.Ordinal);
            await socket.SendAsync(Encoding.ASCII.GetBytes("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"), Ct);
        }, Ct);
        await WaitForPhaseAsync(api, "ports", "Succeeded");
        await answered;
        Assert.Equal(["after"], (await LogLinesAsync(client, "ports", "after")).Select(l => l.Text));
    }

    [Fact(Timeout = 60_000)]
    public async Task NativeSidecar_StartupProbeFailingItsThreshold_IsKilledAndThePodFails()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();

        var sidecar = Sh("never", "exec sleep 30");
        sidecar.RestartPolicy = "Always";
        sidecar.StartupProbe = new V1Probe { Exec = new V1ExecAction { Command = ["sh", "-c", "echo not yet; exit 1"] }, PeriodSeconds = 1, FailureThreshold = 2 };
        await client.CoreV1.CreateNamespacedPodAsync(Pod("unstarted", [Sh("main", "true")], init: [sidecar, Sh("after", "echo after")]), Ns, cancellationToken: Ct);

        var done = await WaitForPhaseAsync(api, "unstarted", "Failed");
        Assert.NotNull(done.Status.InitContainerStatuses[0].State.Terminated);
        Assert.NotNull(done.Status.InitContainerStatuses[1].State.Waiting);
        Assert.Equal(2, api.Events.Count(e => e.Reason == "Unhealthy" && e.Message == "Startup probe failed: not yet"));
        Assert.Contains(api.Events, e => e.Reason == "Killing" && e.Message.Contains("failed startup probe", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task Watch_FromListVersion_SeesAddedThenModifiedUpToSucceeded()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();

        var list = await client.CoreV1.ListNamespacedPodAsync(Ns, cancellationToken: Ct);
        await client.CoreV1.CreateNamespacedPodAsync(Pod("watched", [Sh("main", "echo hi")]), Ns, cancellationToken: Ct);

        var events = new List<(WatchEventType Type, V1Pod Pod)>();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(Deadline);
        await foreach (var (type, pod) in client.CoreV1.WatchListNamespacedPodAsync(
            Ns, fieldSelector: "metadata.name=watched", resourceVersion: list.ResourceVersion(), cancellationToken: cts.Token))
        {
            events.Add((type, pod));
            if (pod.Status?.Phase == "Succeeded")
            {
                break;
            }
        }

        Assert.Equal(WatchEventType.Added, events[0].Type);
        Assert.All(events.Skip(1), e => Assert.Equal(WatchEventType.Modified, e.Type));
        var versions = events.Select(e => long.Parse(e.Pod.ResourceVersion(), CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(versions.Order(), versions);
        Assert.Equal(versions.Count, versions.Distinct().Count());
        Assert.Equal(["Pending", "Running", "Succeeded"], events.Select(e => e.Pod.Status.Phase).Distinct());
    }

    [Fact(Timeout = 60_000)]
    public async Task Watch_ObsoleteWatchExtension_SeesTheSameStream()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("old-style", [Sh("main", "true")]), Ns, cancellationToken: Ct);

        // The executor may use the HttpOperationResponse-based extension; it must read the fake's stream too.
#pragma warning disable CS0618
        var watch = client.CoreV1.ListNamespacedPodWithHttpMessagesAsync(Ns, watch: true, cancellationToken: Ct).WatchAsync<V1Pod, V1PodList>(cancellationToken: Ct);
#pragma warning restore CS0618
        await foreach (var (type, pod) in watch)
        {
            if (pod.Status?.Phase == "Succeeded")
            {
                return;
            }
        }

        Assert.Fail("the watch ended before the pod succeeded");
    }

    [Fact(Timeout = 60_000)]
    public async Task Watch_AllowWatchBookmarks_SendsBookmarksWithResourceVersion()
    {
        await using var api = await FakeKubernetesApi.StartAsync(new FakeKubernetesApiOptions { BookmarkInterval = TimeSpan.FromMilliseconds(100) }, Ct);
        using var client = api.CreateClient();
        api.Seed(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "bump" } });

        await foreach (var (type, pod) in client.CoreV1.WatchListNamespacedPodAsync(Ns, allowWatchBookmarks: true, resourceVersion: "1000", cancellationToken: Ct))
        {
            Assert.Equal(WatchEventType.Bookmark, type);
            Assert.Equal(api.ResourceVersion.ToString(CultureInfo.InvariantCulture), pod.ResourceVersion());
            return;
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Watch_SendInitialEvents_SendsAddedThenTheInitialEventsEndBookmark()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();
        api.Seed(Pod("existing", [Sh("main", "sleep 30")]));
        await api.WaitForPodAsync("existing", p => p.Status?.Phase == "Running", cancellationToken: Ct);

        var events = new List<(WatchEventType Type, V1Pod Pod)>();
        await foreach (var e in client.CoreV1.WatchListNamespacedPodAsync(
            Ns, allowWatchBookmarks: true, sendInitialEvents: true, resourceVersionMatch: "NotOlderThan", cancellationToken: Ct))
        {
            events.Add(e);
            if (e.Item1 == WatchEventType.Bookmark)
            {
                break;
            }
        }

        Assert.Equal([WatchEventType.Added, WatchEventType.Bookmark], events.Select(e => e.Type));
        Assert.Equal("Running", events[0].Pod.Status.Phase);
        Assert.Equal("true", events[1].Pod.Annotations()["k8s.io/initial-events-end"]);
    }

    [Fact(Timeout = 60_000)]
    public async Task Watch_ResourceVersionOlderThanHistory_GetsExpiredErrorAndListGets410()
    {
        await using var api = await FakeKubernetesApi.StartAsync(new FakeKubernetesApiOptions { WatchHistoryLimit = 2 }, Ct);
        using var client = api.CreateClient();
        var old = (await client.CoreV1.ListNamespacedPodAsync(Ns, cancellationToken: Ct)).ResourceVersion();
        for (var i = 0; i < 3; i++)
        {
            api.Seed(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cm" + i } });
        }

        var errors = new List<Exception>();
        await foreach (var _ in client.CoreV1.WatchListNamespacedPodAsync(Ns, resourceVersion: old, onError: errors.Add, cancellationToken: Ct))
        {
            Assert.Fail("no event expected before the error");
        }

        var status = Assert.IsType<KubernetesException>(Assert.Single(errors)).Status;
        Assert.Equal((410, "Expired"), (status.Code, status.Reason));
        Assert.StartsWith("too old resource version: " + old, status.Message, StringComparison.Ordinal);

        var listError = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ListNamespacedPodAsync(Ns, resourceVersion: old, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Gone, listError.Response.StatusCode);
        Assert.Equal("Expired", KubernetesJson.Deserialize<V1Status>(listError.Response.Content).Reason);
    }

    [Fact(Timeout = 60_000)]
    public async Task ReadLog_Follow_StreamsLinesAsTheyArePrinted()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();
        await client.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(Claim("gate"), Ns, cancellationToken: Ct);
        await client.CoreV1.CreateNamespacedPodAsync(Pod("talker",
            [Sh("main", "echo one; while [ ! -f /gate/go ]; do sleep 0.05; done; echo two", Mount("gate", "/gate"))],
            volumes: [new V1Volume { Name = "gate", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = "gate" } }]), Ns, cancellationToken: Ct);
        await api.WaitForPodAsync("talker", p => p.Status?.Phase == "Running", cancellationToken: Ct);

        await using var stream = await client.CoreV1.ReadNamespacedPodLogAsync("talker", Ns, container: "main", follow: true, cancellationToken: Ct);
        using var reader = new StreamReader(stream);
        Assert.Equal("one", await reader.ReadLineAsync(Ct));

        // The container is still blocked: the second line can only come after the gate opens.
        Assert.Equal("Running", api.GetPod("talker")!.Status.Phase);
        await File.WriteAllTextAsync(Path.Combine(api.PersistentVolumeClaimDirectory("gate")!, "go"), "", Ct);
        Assert.Equal("two", await reader.ReadLineAsync(Ct));
        Assert.Null(await reader.ReadLineAsync(Ct));
    }

    [Fact(Timeout = 60_000)]
    public async Task EmptyDir_SharedBetweenInitContainers_WithoutTouchingTheHost()
    {
        var hostHadWorkspace = Directory.Exists("/workspace");
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();

        await client.CoreV1.CreateNamespacedPodAsync(Pod("shared",
            [Sh("main", "cat /workspace/x", Mount("ws", "/workspace"))],
            init: [Sh("writer", "echo hello > /workspace/x", Mount("ws", "/workspace")), Sh("reader", "cat /workspace/x", Mount("ws", "/workspace"))],
            volumes: [new V1Volume { Name = "ws", EmptyDir = new V1EmptyDirVolumeSource() }]), Ns, cancellationToken: Ct);
        await WaitForPhaseAsync(api, "shared", "Succeeded");

        Assert.Equal(["hello"], (await LogLinesAsync(client, "shared", "reader")).Select(l => l.Text));
        Assert.Equal(["hello"], (await LogLinesAsync(client, "shared", "main")).Select(l => l.Text));
        Assert.Equal(hostHadWorkspace, Directory.Exists("/workspace"));
    }

    [Fact(Timeout = 60_000)]
    public async Task ConfigMapVolumeAndSecretEnv_AreMaterializedFromSeededObjects()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();
        api.Seed(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "settings" }, Data = new Dictionary<string, string> { ["a"] = "alpha", ["b"] = "beta" } });
        api.Seed(new V1Secret { Metadata = new V1ObjectMeta { Name = "creds" }, StringData = new Dictionary<string, string> { ["token"] = "s3cr3t" } });

        var main = Sh("main", "echo $(cat /etc/settings/sub/a.txt); ls /etc/settings; echo \"$TOKEN $POD $(hostname)\"; test -f /etc/passwd && echo passwd-visible", Mount("settings", "/etc/settings"));
        main.Env =
        [
            new V1EnvVar { Name = "TOKEN", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "creds", Key = "token" } } },
            new V1EnvVar { Name = "POD", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } } },
        ];
        await client.CoreV1.CreateNamespacedPodAsync(Pod("configured", [main],
            volumes: [new V1Volume { Name = "settings", ConfigMap = new V1ConfigMapVolumeSource { Name = "settings", Items = [new V1KeyToPath { Key = "a", Path = "sub/a.txt" }] } }]), Ns, cancellationToken: Ct);
        await WaitForPhaseAsync(api, "configured", "Succeeded");

        Assert.Equal(["alpha", "sub", "s3cr3t configured configured", "passwd-visible"], (await LogLinesAsync(client, "configured", "main")).Select(l => l.Text));
        Assert.False(Directory.Exists("/etc/settings"), "the mount point was made on the host");
        var secret = await client.CoreV1.ReadNamespacedSecretAsync("creds", Ns, cancellationToken: Ct);
        Assert.Equal("s3cr3t", Encoding.UTF8.GetString(secret.Data["token"]));
    }

    [Fact(Timeout = 60_000)]
    public async Task ProjectedVolume_ConfigMapAndSecretSources_AreWrittenTogether()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();
        api.Seed(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "recipes" }, Data = new Dictionary<string, string> { ["brownies"] = "bake", ["other"] = "x" } });
        api.Seed(new V1Secret { Metadata = new V1ObjectMeta { Name = "password" }, StringData = new Dictionary<string, string> { ["password"] = "hunter2" } });

        var projected = new V1ProjectedVolumeSource
        {
            Sources =
            [
                new V1VolumeProjection { Secret = new V1SecretProjection { Name = "password" } },
                new V1VolumeProjection { ConfigMap = new V1ConfigMapProjection { Name = "recipes", Items = [new V1KeyToPath { Key = "brownies", Path = "recipe.txt" }] } },
            ],
        };
        await client.CoreV1.CreateNamespacedPodAsync(Pod("projected", [Sh("main", "ls /store; cat /store/password /store/recipe.txt; echo", Mount("store", "/store"))],
            volumes: [new V1Volume { Name = "store", Projected = projected }]), Ns, cancellationToken: Ct);
        await WaitForPhaseAsync(api, "projected", "Succeeded");

        Assert.Equal(["password", "recipe.txt", "hunter2bake"], (await LogLinesAsync(client, "projected", "main")).Select(l => l.Text));
    }

    [Fact(Timeout = 60_000)]
    public async Task Container_Sandbox_HasCleanEnvironmentPrivateTmpAndDefaultSignals()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();
        var main = new V1Container
        {
            Name = "main",
            Image = "busybox:1.36",
            WorkingDir = "/src/app",
            Env = [new V1EnvVar { Name = "WHO", Value = "world" }, new V1EnvVar { Name = "GREETING", Value = "hello $(WHO)" }],
            Command = ["sh", "-c", "pwd; ls /tmp; env | cut -d= -f1 | sort | tr '\\n' ' '; echo; grep SigIgn /proc/self/status; echo \"$1\"", "sh", "$(GREETING)"],
        };
        await client.CoreV1.CreateNamespacedPodAsync(Pod("sandboxed", [main], init: [Sh("litter", "touch /tmp/litter")]), Ns, cancellationToken: Ct);
        await WaitForPhaseAsync(api, "sandboxed", "Succeeded");

        var lines = (await LogLinesAsync(client, "sandboxed", "main")).Select(l => l.Text).ToList();
        Assert.Equal("/src/app", lines[0]);
        var names = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).Except(["PWD", "OLDPWD", "SHLVL", "_"]);
        Assert.Equal(["GREETING", "HOME", "HOSTNAME", "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT", "PATH", "WHO"], names);
        Assert.Equal("SigIgn:\t0000000000000000", lines[2]);
        Assert.Equal("hello world", lines[3]);
        Assert.Equal(4, lines.Count);
        Assert.False(Directory.Exists("/src/app"), "the working directory was made on the host");
    }

    [Fact(Timeout = 60_000)]
    public async Task Container_AlpineScriptWithEnvAsh_RunsUnderAShellStandingInForAsh()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();
        var write = Sh("write", "printf '#!/usr/bin/env ash\\nif [ \"$1\" == yes ]; then echo ash ran; fi\\n' > /scripts/s; chmod +x /scripts/s", Mount("scripts", "/scripts"));
        var run = new V1Container { Name = "main", Image = "alpine:3", Command = ["/scripts/s", "yes"], VolumeMounts = [Mount("scripts", "/scripts")] };
        await client.CoreV1.CreateNamespacedPodAsync(
            Pod("ash", [run], init: [write], volumes: [new V1Volume { Name = "scripts", EmptyDir = new V1EmptyDirVolumeSource() }]), Ns, cancellationToken: Ct);

        await WaitForPhaseAsync(api, "ash", "Succeeded");
        Assert.Equal(["ash ran"], (await LogLinesAsync(client, "ash", "main")).Select(l => l.Text));
    }

    [Fact(Timeout = 60_000)]
    public async Task TerminationMessage_IsReadBackAndKeepsTheLast4096Bytes()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();
        var custom = Sh("custom", "printf done > /tekton/termination");
        custom.TerminationMessagePath = "/tekton/termination";
        await client.CoreV1.CreateNamespacedPodAsync(Pod("messages",
            [Sh("long", "printf '%4000s' '' | tr ' ' a > /dev/termination-log; printf '%1000s' '' | tr ' ' b >> /dev/termination-log"), custom]), Ns, cancellationToken: Ct);
        var done = await WaitForPhaseAsync(api, "messages", "Succeeded");

        var message = done.Status.ContainerStatuses.Single(s => s.Name == "long").State.Terminated.Message;
        Assert.Equal(new string('a', 3096) + new string('b', 1000), message);
        Assert.Equal("done", done.Status.ContainerStatuses.Single(s => s.Name == "custom").State.Terminated.Message);
    }

    [Fact(Timeout = 60_000)]
    public async Task DeletePod_SleepingContainer_IsKilledBySigtermWithinTheGracePeriod()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("sleeper", [Sh("main", "sleep 30")]), Ns, cancellationToken: Ct);
        var running = await api.WaitForPodAsync("sleeper", p => p.Status?.ContainerStatuses?[0].State?.Running is not null, cancellationToken: Ct);

        var clock = Stopwatch.StartNew();
        var deleted = await client.CoreV1.DeleteNamespacedPodAsync("sleeper", Ns, gracePeriodSeconds: 10, cancellationToken: Ct);
        Assert.NotNull(deleted.Metadata.DeletionTimestamp);

        var last = await WatchUntilDeletedAsync(client, "sleeper", running.ResourceVersion());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}: SIGTERM did not stop the container");
        Assert.Equal(143, last.Status.ContainerStatuses[0].State.Terminated.ExitCode);
        Assert.Equal("Failed", last.Status.Phase);
        Assert.Null(api.GetPod("sleeper"));
        Assert.Contains(api.Events, e => e.Reason == "Killing" && e.InvolvedObject.Name == "sleeper");
    }

    [Fact(Timeout = 60_000)]
    public async Task DeletePod_ContainerIgnoringSigterm_IsKilledAfterTheGracePeriod()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("stubborn", [Sh("main", "trap '' TERM; echo ready; sleep 30")]), Ns, cancellationToken: Ct);
        await WaitForLogAsync(api, "stubborn", "main", "ready");
        var version = api.GetPod("stubborn")!.ResourceVersion();

        var clock = Stopwatch.StartNew();
        await client.CoreV1.DeleteNamespacedPodAsync("stubborn", Ns, body: new V1DeleteOptions { GracePeriodSeconds = 1 }, cancellationToken: Ct);
        var last = await WatchUntilDeletedAsync(client, "stubborn", version);

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
        Assert.Equal(137, last.Status.ContainerStatuses[0].State.Terminated.ExitCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task ActiveDeadlineSeconds_Passed_FailsPodWithDeadlineExceeded()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();
        var pod = Pod("late", [Sh("main", "sleep 30")]);
        pod.Spec.ActiveDeadlineSeconds = 1;
        await client.CoreV1.CreateNamespacedPodAsync(pod, Ns, cancellationToken: Ct);

        var failed = await api.WaitForPodAsync("late", p => p.Status?.ContainerStatuses?[0].State?.Terminated is not null, cancellationToken: Ct);
        Assert.Equal(("Failed", "DeadlineExceeded"), (failed.Status.Phase, failed.Status.Reason));
        Assert.Equal(143, failed.Status.ContainerStatuses[0].State.Terminated.ExitCode);
        Assert.Contains(api.Events, e => e.Reason == "DeadlineExceeded" && e.Type == "Warning");
    }

    [Fact(Timeout = 60_000)]
    public async Task CreatePod_ImageWithoutEntrypointOrCmdAndNoCommand_FailsToStart()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("entrypoint", [new V1Container { Name = "main", Image = "example.com/scratch-tool:1" }]), Ns, cancellationToken: Ct);

        var done = await WaitForPhaseAsync(api, "entrypoint", "Failed");
        var terminated = done.Status.ContainerStatuses[0].State.Terminated;
        Assert.Equal((128, "StartError"), (terminated.ExitCode, terminated.Reason));
        Assert.Contains("no command specified", terminated.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task CreatePod_OnlyArgs_RunTheImagesEntrypointOrAreTheCommand()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();
        V1Container ArgsOnly(string name, string image, params string[] args) => new() { Name = name, Image = image, Args = args };
        await client.CoreV1.CreateNamespacedPodAsync(
            Pod("args", [ArgsOnly("main", "mirror.gcr.io/alpine:3", "echo", "alpine")], init:
            [
                // bash's ENTRYPOINT (docker-entrypoint.sh) runs a program, or bash when the first argument is an option.
                ArgsOnly("bash-program", "mirror.gcr.io/bash@sha256:e320b40b14abc61f053286705070342c46034a549a276b798e64541457c4af92", "echo", "$(GREETING)"),
                ArgsOnly("bash-option", "docker.io/library/bash:5", "-c", "echo from bash"),
                // busybox has no ENTRYPOINT: the args are the command, and "-c" is no program.
                ArgsOnly("busybox-cmd", "busybox", "echo", "busybox"),
            ]), Ns, cancellationToken: Ct);

        var done = await WaitForPhaseAsync(api, "args", "Succeeded");
        Assert.Equal(["$(GREETING)"], (await LogLinesAsync(client, "args", "bash-program")).Select(l => l.Text));
        Assert.Equal(["from bash"], (await LogLinesAsync(client, "args", "bash-option")).Select(l => l.Text));
        Assert.Equal(["busybox"], (await LogLinesAsync(client, "args", "busybox-cmd")).Select(l => l.Text));
        Assert.Equal(["alpine"], (await LogLinesAsync(client, "args", "main")).Select(l => l.Text));

        await client.CoreV1.CreateNamespacedPodAsync(Pod("dash-c", [ArgsOnly("main", "busybox", "-c", "echo never")]), Ns, cancellationToken: Ct);
        var failed = await WaitForPhaseAsync(api, "dash-c", "Failed");
        Assert.NotEqual(0, failed.Status.ContainerStatuses[0].State.Terminated.ExitCode);
    }

    [Theory]
    [InlineData("mirror.gcr.io/bash@sha256:e320b40b14abc61f053286705070342c46034a549a276b798e64541457c4af92", "bash")]
    [InlineData("docker.io/library/busybox:1.36", "busybox")]
    [InlineData("localhost:5000/alpine/git:2.4", "alpine/git")]
    [InlineData("ubuntu", "ubuntu")]
    public void ImageRepository_Reference_IsTheRepositoryAlone(string image, string repository) =>
        Assert.Equal(repository, ImageConfigs.Repository(image));

    [Fact(Timeout = 60_000)]
    public async Task CreatePod_ExistingName_Returns409AlreadyExistsAndGenerateNameMakesOne()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("twice", [Sh("main", "true")]), Ns, cancellationToken: Ct);

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.CreateNamespacedPodAsync(Pod("twice", [Sh("main", "true")]), Ns, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Conflict, error.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(error.Response.Content);
        Assert.Equal(("Status", "v1", "Failure", "AlreadyExists", 409), (status.Kind, status.ApiVersion, status.Status, status.Reason, status.Code ?? 0));

        var generated = Pod("", [Sh("main", "true")]);
        generated.Metadata = new V1ObjectMeta { GenerateName = "run-" };
        var made = await client.CoreV1.CreateNamespacedPodAsync(generated, Ns, cancellationToken: Ct);
        Assert.Matches("^run-[a-z0-9]{5}$", made.Name());
    }

    [Fact(Timeout = 60_000)]
    public async Task ListAndDeleteCollection_LabelSelectors_SelectTheRightPods()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();
        foreach (var (name, labels) in new[] { ("a", "run=1,task=build"), ("b", "run=1,task=test"), ("c", "run=2") })
        {
            var pod = Pod(name, [Sh("main", "sleep 30")]);
            pod.Metadata.Labels = labels.Split(',').Select(l => l.Split('=')).ToDictionary(p => p[0], p => p[1]);
            await client.CoreV1.CreateNamespacedPodAsync(pod, Ns, cancellationToken: Ct);
        }

        async Task<string[]> Names(string selector) =>
            [.. (await client.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: selector, cancellationToken: Ct)).Items.Select(p => p.Name())];

        Assert.Equal(["a", "b"], await Names("run=1"));
        Assert.Equal(["a", "c"], await Names("task notin (test)"));
        Assert.Equal(["b"], await Names("run in (1,3),task!=build"));
        Assert.Equal(["c"], await Names("!task"));
        Assert.Equal(["a"], (await client.CoreV1.ListNamespacedPodAsync(Ns, fieldSelector: "metadata.name=a", cancellationToken: Ct)).Items.Select(p => p.Name()));

        await client.CoreV1.DeleteCollectionNamespacedPodAsync(Ns, labelSelector: "run=1", gracePeriodSeconds: 0, cancellationToken: Ct);
        await PollAsync(() => api.Pods.Count == 1);
        Assert.Equal("c", api.Pods.Single().Name());
    }

    [Fact(Timeout = 60_000)]
    public async Task Pvc_Created_IsBoundAndListedAndUnknownPathsAre404Statuses()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();
        var claim = Claim("data");
        claim.Metadata.Labels = new Dictionary<string, string> { ["run"] = "r1" };
        claim.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "v1", Kind = "Pod", Name = "owner", Uid = "u-1" }];
        var created = await client.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(claim, Ns, cancellationToken: Ct);

        Assert.Equal("Bound", created.Status.Phase);
        Assert.Equal("owner", created.Metadata.OwnerReferences.Single().Name);
        Assert.True(Directory.Exists(api.PersistentVolumeClaimDirectory("data")));
        Assert.Single((await client.CoreV1.ListNamespacedPersistentVolumeClaimAsync(Ns, labelSelector: "run=r1", cancellationToken: Ct)).Items);
        await client.CoreV1.DeleteNamespacedPersistentVolumeClaimAsync("data", Ns, cancellationToken: Ct);
        Assert.Empty(api.PersistentVolumeClaims);

        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ReadNamespacedConfigMapAsync("nope", Ns, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.NotFound, missing.Response.StatusCode);
        Assert.Equal("configmaps \"nope\" not found", KubernetesJson.Deserialize<V1Status>(missing.Response.Content).Message);

        using var http = new HttpClient { BaseAddress = api.BaseUri };
        http.DefaultRequestHeaders.Authorization = new("Bearer", api.Options.Token);
        using var unknown = await http.GetAsync(new Uri("/apis/tekton.dev/v1/pipelineruns", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(await unknown.Content.ReadAsStringAsync(Ct));
        Assert.Equal(("Status", "Failure", "NotFound"), (status.Kind, status.Status, status.Reason));
    }

    [Fact(Timeout = 60_000)]
    public async Task Events_KubeletAndClient_AreListed()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("evented", [Sh("main", "true")]), Ns, cancellationToken: Ct);
        await WaitForPhaseAsync(api, "evented", "Succeeded");
        await client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = "mine" },
            InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = "evented", NamespaceProperty = Ns },
            Reason = "Custom",
            Message = "from the executor",
        }, Ns, cancellationToken: Ct);

        var events = await client.CoreV1.ListNamespacedEventAsync(Ns, fieldSelector: "involvedObject.name=evented", cancellationToken: Ct);
        Assert.Equal(["Scheduled", "Pulled", "Created", "Started", "Custom"], events.Items.OrderBy(e => long.Parse(e.ResourceVersion(), CultureInfo.InvariantCulture)).Select(e => e.Reason));
    }

    [Fact(Timeout = 60_000)]
    public async Task Faults_FailNext_AnswersInternalErrorThenTooManyRequestsThenServes()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();
        api.Faults.FailNext(1, "POST", "/api/v1/namespaces/*/pods");
        api.Faults.FailNext(1, "POST", "/api/v1/namespaces/*/pods", RequestFault.TooManyRequests, TimeSpan.FromSeconds(3));

        var internalError = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.CreateNamespacedPodAsync(Pod("flaky", [Sh("main", "true")]), Ns, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.InternalServerError, internalError.Response.StatusCode);
        Assert.Equal("InternalError", KubernetesJson.Deserialize<V1Status>(internalError.Response.Content).Reason);

        var throttled = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.CreateNamespacedPodAsync(Pod("flaky", [Sh("main", "true")]), Ns, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.Response.StatusCode);
        Assert.Equal(["3"], throttled.Response.Headers["Retry-After"]);
        Assert.Equal(3, KubernetesJson.Deserialize<V1Status>(throttled.Response.Content).Details.RetryAfterSeconds);

        await client.CoreV1.CreateNamespacedPodAsync(Pod("flaky", [Sh("main", "true")]), Ns, cancellationToken: Ct);
        Assert.Equal(3, api.Requests.Count(r => r is { IsWrite: true, Resource: "pods" }));
        Assert.Single(api.Pods);
    }

    [Fact(Timeout = 60_000)]
    public async Task Faults_DropWatches_EndsTheClientsStream()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();
        api.Seed(Pod("present", [Sh("main", "sleep 30")]));

        var seen = 0;
        await foreach (var (type, _) in client.CoreV1.WatchListNamespacedPodAsync(Ns, cancellationToken: Ct))
        {
            seen++;
            if (type == WatchEventType.Added)
            {
                api.Faults.DropWatches();
            }
        }

        Assert.True(seen >= 1);
        Assert.Equal(1, api.Requests.Count(r => r.IsWatch));
    }

    [Fact(Timeout = 60_000)]
    public async Task Faults_ExpireWatchWindow_NextWatchFromAnOldVersionGets410()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();
        var old = (await client.CoreV1.ListNamespacedPodAsync(Ns, cancellationToken: Ct)).ResourceVersion();
        api.Seed(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "after" } });
        api.Faults.ExpireWatchWindow();

        var errors = new List<Exception>();
        await foreach (var _ in client.CoreV1.WatchListNamespacedPodAsync(Ns, resourceVersion: old, onError: errors.Add, cancellationToken: Ct))
        {
            Assert.Fail("no event expected before the error");
        }

        Assert.Equal(410, Assert.IsType<KubernetesException>(Assert.Single(errors)).Status.Code);
    }

    [Fact(Timeout = 60_000)]
    public async Task Faults_EvictPod_FailsItWithReasonEvicted()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("evictee", [Sh("main", "sleep 30")]), Ns, cancellationToken: Ct);
        await api.WaitForPodAsync("evictee", p => p.Status?.Phase == "Running", cancellationToken: Ct);

        Assert.True(api.Faults.EvictPod("evictee"));
        var evicted = await api.WaitForPodAsync("evictee", p => p.Status?.ContainerStatuses?[0].State?.Terminated is not null, cancellationToken: Ct);
        Assert.Equal(("Failed", "Evicted", "The node was low on resource: memory."), (evicted.Status.Phase, evicted.Status.Reason, evicted.Status.Message));
        Assert.Equal(137, evicted.Status.ContainerStatuses[0].State.Terminated.ExitCode);
        Assert.Contains(api.Events, e => e.Reason == "Evicted");
    }

    [Fact(Timeout = 60_000)]
    public async Task Faults_LoseNodeOfPod_DeletesThePodAndKillsItsProcesses()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("orphan", [Sh("main", "echo $$$$; exec sleep 30")]), Ns, cancellationToken: Ct);
        var pid = int.Parse(await WaitForLogAsync(api, "orphan", "main", null), CultureInfo.InvariantCulture);
        var version = api.GetPod("orphan")!.ResourceVersion();
        Assert.True(Directory.Exists($"/proc/{pid}"));

        Assert.True(await api.Faults.LoseNodeOfPodAsync("orphan"));

        var events = new List<WatchEventType>();
        await foreach (var (type, pod) in client.CoreV1.WatchListNamespacedPodAsync(Ns, resourceVersion: version, cancellationToken: Ct))
        {
            events.Add(type);
            if (type == WatchEventType.Deleted)
            {
                Assert.Equal("Running", pod.Status.Phase);
                break;
            }
        }

        Assert.Equal([WatchEventType.Deleted], events);
        await PollAsync(() => !Directory.Exists($"/proc/{pid}") || File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task Faults_OomKill_TerminatesTheContainerWithOomKilled()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("hungry", [Sh("main", "sleep 30")]), Ns, cancellationToken: Ct);
        await api.WaitForPodAsync("hungry", p => p.Status?.Phase == "Running", cancellationToken: Ct);

        Assert.True(api.Faults.OomKill("hungry", "main"));
        var done = await WaitForPhaseAsync(api, "hungry", "Failed");
        Assert.Equal((137, "OOMKilled"), (done.Status.ContainerStatuses[0].State.Terminated.ExitCode, done.Status.ContainerStatuses[0].State.Terminated.Reason));
    }

    [Fact(Timeout = 60_000)]
    public async Task Watch_TimeoutSeconds_EndsTheStream()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();
        api.Seed(Pod("idle", [Sh("main", "sleep 30")]));

        var clock = Stopwatch.StartNew();
        var types = new List<WatchEventType>();
        await foreach (var (type, _) in client.CoreV1.WatchListNamespacedPodAsync(Ns, timeoutSeconds: 1, cancellationToken: Ct))
        {
            types.Add(type);
        }

        Assert.Equal(WatchEventType.Added, types[0]);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
    }

    [Fact(Timeout = 60_000)]
    public async Task CreatePod_EnvFromMissingConfigMap_WaitsWithCreateContainerConfigErrorUntilItExists()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();
        var main = Sh("main", "echo $LEVEL");
        main.Env = [new V1EnvVar { Name = "LEVEL", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "late", Key = "level" } } }];
        await client.CoreV1.CreateNamespacedPodAsync(Pod("patient", [main]), Ns, cancellationToken: Ct);

        var waiting = await api.WaitForPodAsync("patient", p => p.Status?.ContainerStatuses?[0].State?.Waiting?.Reason == "CreateContainerConfigError", cancellationToken: Ct);
        Assert.Equal("configmap \"late\" not found", waiting.Status.ContainerStatuses[0].State.Waiting.Message);
        Assert.Equal("Pending", waiting.Status.Phase);

        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "late" }, Data = new Dictionary<string, string> { ["level"] = "debug" } }, Ns, cancellationToken: Ct);
        await WaitForPhaseAsync(api, "patient", "Succeeded");
        Assert.Equal(["debug"], (await LogLinesAsync(client, "patient", "main")).Select(l => l.Text));
    }

    [Fact(Timeout = 60_000)]
    public async Task CreatePod_MissingClaim_IsUnschedulableUntilTheClaimExists()
    {
        await using var api = await FakeKubernetesApi.StartAsync(new FakeKubernetesApiOptions { SchedulingDelay = TimeSpan.FromMilliseconds(100) }, Ct);
        using var client = api.CreateClient();
        var created = await client.CoreV1.CreateNamespacedPodAsync(Pod("claimant",
            [Sh("main", "echo kept > /data/out", Mount("data", "/data"))],
            volumes: [new V1Volume { Name = "data", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = "later" } }]), Ns, cancellationToken: Ct);
        Assert.Null(created.Spec.NodeName);

        var unschedulable = await api.WaitForPodAsync("claimant", p => p.Status?.Conditions?.Any(c => c.Type == "PodScheduled" && c.Reason == "Unschedulable") == true, cancellationToken: Ct);
        Assert.Null(unschedulable.Spec.NodeName);
        Assert.Contains(api.Events, e => e.Reason == "FailedScheduling" && e.Message.Contains("\"later\" not found", StringComparison.Ordinal));

        await client.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(Claim("later"), Ns, cancellationToken: Ct);
        await WaitForPhaseAsync(api, "claimant", "Succeeded");
        Assert.Equal("kept\n", await File.ReadAllTextAsync(Path.Combine(api.PersistentVolumeClaimDirectory("later")!, "out"), Ct));
    }

    [Fact(Timeout = 60_000)]
    public async Task Requests_WithoutTheKubeconfigToken_Get401()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var http = new HttpClient { BaseAddress = api.BaseUri };
        using var response = await http.GetAsync(new Uri("/api/v1/namespaces/default/pods", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Unauthorized", KubernetesJson.Deserialize<V1Status>(await response.Content.ReadAsStringAsync(Ct)).Reason);
        Assert.Contains("server: " + api.BaseUri.GetLeftPart(UriPartial.Authority), await File.ReadAllTextAsync(api.KubeconfigPath, Ct), StringComparison.Ordinal);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("pods", """{"metadata": {"name": "typed"}, "spec": {"containers": [{"name": "main", "image": "busybox", "command": "true"}]}}""", "Pod", "typed", "spec.containers[0].command", "FieldValueTypeInvalid")]
    [InlineData("pods", """{"metadata": {"generateName": "anon-"}, "spec": {"containers": [{"image": "busybox"}]}}""", "Pod", "anon-", "spec.containers[0].name", "FieldValueRequired")]
    [InlineData("persistentvolumeclaims", """{"metadata": {"name": "c"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "lots"}}}}""", "PersistentVolumeClaim", "c", "spec.resources.requests.storage", "FieldValueInvalid")]
    [InlineData("secrets", """{"metadata": {"name": "s"}, "data": {"key": "not base64!"}}""", "Secret", "s", "data.key", "FieldValueInvalid")]
    [InlineData("configmaps", """{"metadata": {"name": "m"}, "data": {"key": true}}""", "ConfigMap", "m", "data.key", "FieldValueTypeInvalid")]
    [InlineData("serviceaccounts", """{"metadata": {"name": "a"}, "secrets": [{"name": 7}]}""", "ServiceAccount", "a", "secrets[0].name", "FieldValueTypeInvalid")]
    public async Task Create_ObjectTheSchemaRefuses_Gets422InvalidNamingTheField(string plural, string body, string kind, string name, string field, string reason)
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var http = AuthorizedHttp(api);

        using var response = await http.PostAsync(new Uri($"/api/v1/namespaces/{Ns}/{plural}", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal(("Status", "Failure", "Invalid", 422), ((string?)status["kind"], (string?)status["status"], (string?)status["reason"], (int?)status["code"]));
        Assert.StartsWith($"{kind} \"{name}\" is invalid: {field}: ", (string?)status["message"], StringComparison.Ordinal);
        Assert.Equal((kind, name), ((string?)status["details"]?["kind"], (string?)status["details"]?["name"]));
        var cause = Assert.Single(status["details"]!["causes"]!.AsArray());
        Assert.Equal((field, reason), ((string?)cause!["field"], (string?)cause["reason"]));
        Assert.Empty(api.Pods);
        Assert.Empty(api.Errors);
    }

    [Fact(Timeout = 60_000)]
    public async Task CreatePod_InvalidThroughTheClient_ThrowsWith422AndNothingIsCreated()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();
        var pod = Pod("policy", [Sh("main", "true")]);
        pod.Spec.Containers[0].ImagePullPolicy = "Sometimes";

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.CreateNamespacedPodAsync(pod, Ns, cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        Assert.StartsWith(
            "Pod \"policy\" is invalid: spec.containers[0].imagePullPolicy: Unsupported value: \"Sometimes\"",
            (string?)JsonNode.Parse(error.Response.Content)!["message"], StringComparison.Ordinal);
        Assert.Null(api.GetPod("policy"));
    }

    [Fact(Timeout = 60_000)]
    public async Task CreatePod_ValidRawJsonWithoutKind_IsAcceptedAndRuns()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var http = AuthorizedHttp(api);

        using var response = await http.PostAsync(
            new Uri($"/api/v1/namespaces/{Ns}/pods", UriKind.Relative),
            new StringContent("""{"metadata": {"name": "raw"}, "spec": {"restartPolicy": "Never", "containers": [{"name": "main", "image": "busybox", "command": ["sh", "-c", "echo ok"]}]}}""", Encoding.UTF8, "application/json"),
            Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        await WaitForPhaseAsync(api, "raw", "Succeeded");
        Assert.Equal(["ok"], api.ContainerLog("raw", "main").Select(l => l.Text));
    }

    [Fact(Timeout = 60_000)]
    public async Task WhatTheFakeWrites_PodStatusesClaimsAndEvents_AreValidAgainstTheSchemas()
    {
        // The fake's own writes (statuses, bound claims, the kubelet's events) must be what a real server could hold.
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();
        await client.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(Claim("data"), Ns, cancellationToken: Ct);
        var sidecar = Sh("proxy", "trap 'exit 0' TERM; while true; do sleep 0.05; done");
        sidecar.RestartPolicy = "Always";
        await client.CoreV1.CreateNamespacedPodAsync(
            Pod("ok", [Sh("main", "echo done > /data/out", Mount("data", "/data"))], init: [sidecar, Sh("setup", "true")],
                volumes: [new V1Volume { Name = "data", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = "data" } }]),
            Ns, cancellationToken: Ct);
        await client.CoreV1.CreateNamespacedPodAsync(Pod("fails", [Sh("main", "exit 3")]), Ns, cancellationToken: Ct);
        await WaitForPhaseAsync(api, "ok", "Succeeded");
        await WaitForPhaseAsync(api, "fails", "Failed");

        Assert.All(api.Pods, p => KubernetesSchemas.AssertValid(p));
        Assert.All(api.PersistentVolumeClaims, c => KubernetesSchemas.AssertValid(c));
        Assert.NotEmpty(api.Events);
        Assert.All(api.Events, e => KubernetesSchemas.AssertValid(e));
    }

    [Fact(Timeout = 60_000)]
    public async Task PatchPod_LabelOfTheWrongType_Gets422AndTheLabelsStay()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("patched", [Sh("main", "sleep 30")]), Ns, cancellationToken: Ct);

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch("""{"metadata":{"labels":{"stage":3}}}""", V1Patch.PatchType.MergePatch), "patched", Ns, cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        Assert.Equal("Pod \"patched\" is invalid: metadata.labels.stage: Invalid value: 3: must be of type string", (string?)JsonNode.Parse(error.Response.Content)!["message"]);
        Assert.Null(api.GetPod("patched")!.Metadata.Labels);
        Assert.Empty(api.Errors);
    }

    [Fact(Timeout = 60_000)]
    public async Task Seed_ObjectTheSchemaRefuses_Throws()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);

        var error = Assert.ThrowsAny<Exception>(() => api.Seed(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cfg" }, BinaryData = new Dictionary<string, byte[]> { ["k"] = [1] }, Kind = "ConfigMap", ApiVersion = "v2" }));

        Assert.Contains("ConfigMap \"cfg\" is invalid: apiVersion: Unsupported value: \"v2\"", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task PatchAndReplace_ChangeMetadataAndData_WithConflictOnAStaleVersion()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("labelled", [Sh("main", "sleep 30")]), Ns, cancellationToken: Ct);

        var patched = await client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch("""{"metadata":{"labels":{"stage":"done"}}}""", V1Patch.PatchType.MergePatch), "labelled", Ns, cancellationToken: Ct);
        Assert.Equal("done", patched.Labels()["stage"]);

        var cm = api.Seed(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cfg" }, Data = new Dictionary<string, string> { ["k"] = "1" } });
        cm.Data["k"] = "2";
        var replaced = await client.CoreV1.ReplaceNamespacedConfigMapAsync(cm, "cfg", Ns, cancellationToken: Ct);
        Assert.Equal("2", replaced.Data["k"]);

        var stale = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ReplaceNamespacedConfigMapAsync(cm, "cfg", Ns, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Conflict, stale.Response.StatusCode);

        var status = await client.CoreV1.DeleteNamespacedConfigMapAsync("cfg", Ns, cancellationToken: Ct);
        Assert.Equal("Success", status.Status);
    }

    [Fact(Timeout = 60_000)]
    public async Task ManyPods_RunConcurrently_AllSucceed()
    {
        await using var api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        using var client = api.CreateClient();
        var names = Enumerable.Range(0, 20).Select(i => "many-" + i).ToList();
        await Task.WhenAll(names.Select(n => client.CoreV1.CreateNamespacedPodAsync(Pod(n, [Sh("main", "echo " + n)], init: [Sh("init", "true")]), Ns, cancellationToken: Ct)));

        foreach (var n in names)
        {
            await WaitForPhaseAsync(api, n, "Succeeded");
            Assert.Equal([n], api.ContainerLog(n, "main").Select(l => l.Text));
        }

        Assert.Empty(api.Errors);
    }

    private static HttpClient AuthorizedHttp(FakeKubernetesApi api)
    {
        var http = new HttpClient { BaseAddress = api.BaseUri };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", api.Options.Token);
        return http;
    }

    private static V1Pod Pod(string name, IList<V1Container> containers, IList<V1Container>? init = null, IList<V1Volume>? volumes = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec { RestartPolicy = "Never", Containers = containers, InitContainers = init, Volumes = volumes },
    };

    private static V1Container Sh(string name, string script, params V1VolumeMount[] mounts) => new()
    {
        Name = name,
        Image = "busybox:1.36",
        Command = ["sh", "-c", script],
        VolumeMounts = mounts.Length == 0 ? null : mounts,
    };

    private static V1VolumeMount Mount(string volume, string path) => new() { Name = volume, MountPath = path };

    private static V1PersistentVolumeClaim Claim(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PersistentVolumeClaimSpec
        {
            AccessModes = ["ReadWriteOnce"],
            Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("1Gi") } },
        },
    };

    private static Task<V1Pod> WaitForPhaseAsync(FakeKubernetesApi api, string name, string phase)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(Deadline);
        return api.WaitForPodAsync(name, p => p.Status?.Phase == phase, cancellationToken: cts.Token);
    }

    private static async Task<List<(DateTimeOffset At, string Text)>> LogLinesAsync(k8s.Kubernetes client, string pod, string container, bool timestamps = false)
    {
        await using var stream = await client.CoreV1.ReadNamespacedPodLogAsync(pod, Ns, container: container, timestamps: timestamps, cancellationToken: Ct);
        using var reader = new StreamReader(stream);
        var lines = new List<(DateTimeOffset, string)>();
        while (await reader.ReadLineAsync(Ct) is { } line)
        {
            if (!timestamps)
            {
                lines.Add((default, line));
                continue;
            }

            var space = line.IndexOf(' ', StringComparison.Ordinal);
            lines.Add((DateTimeOffset.Parse(line[..space], CultureInfo.InvariantCulture), line[(space + 1)..]));
        }

        return lines;
    }

    /// <summary>The first log line of a container (or the first equal to <paramref name="expected"/>), once it was printed.</summary>
    private static async Task<string> WaitForLogAsync(FakeKubernetesApi api, string pod, string container, string? expected)
    {
        string? found = null;
        await PollAsync(() =>
        {
            found = api.ContainerLog(pod, container).Select(l => l.Text).FirstOrDefault(t => expected is null || t == expected);
            return found is not null;
        });
        return found!;
    }

    /// <summary>Watches one pod from <paramref name="version"/> until it is deleted; returns its last state.</summary>
    private static async Task<V1Pod> WatchUntilDeletedAsync(k8s.Kubernetes client, string name, string version)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(Deadline);
        await foreach (var (type, pod) in client.CoreV1.WatchListNamespacedPodAsync(Ns, fieldSelector: "metadata.name=" + name, resourceVersion: version, cancellationToken: cts.Token))
        {
            if (type == WatchEventType.Deleted)
            {
                return pod;
            }
        }

        throw new InvalidOperationException("the watch ended before the pod was deleted");
    }

    private static async Task PollAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < Deadline, "condition not met in time");
            await Task.Delay(20, Ct);
        }
    }
}
