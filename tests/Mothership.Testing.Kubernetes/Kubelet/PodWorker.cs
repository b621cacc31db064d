using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using k8s.Models;

namespace Mothership.Testing.Kubernetes.Kubelet;

/// <summary>Why a pod's containers are being stopped before they ended on their own.</summary>
internal enum StopKind
{
    /// <summary>The pod was deleted: containers get their grace period, then the object goes.</summary>
    Deleted,

    /// <summary>activeDeadlineSeconds passed: phase Failed, reason DeadlineExceeded.</summary>
    DeadlineExceeded,

    /// <summary>The node evicted the pod: killed at once, phase Failed, reason Evicted.</summary>
    Evicted,

    /// <summary>The node is gone: killed at once and the object deleted, with no last status.</summary>
    NodeLost,

    /// <summary>The fake is shutting down: killed at once, nothing more written.</summary>
    Shutdown,
}

internal sealed record StopRequest(StopKind Kind, TimeSpan GracePeriod);

/// <summary>A container of the pod once the kubelet took it up: its log, process and status.</summary>
internal sealed class PodContainer(V1Container spec, bool init)
{
    public V1Container Spec => spec;

    public bool IsInit => init;

    public bool IsSidecar => init && spec.RestartPolicy == "Always";

    public ContainerLog Log { get; } = new();

    public ContainerProcess? Process { get; set; }

    /// <summary>The container's view of the pod, for its exec probes; set when it starts.</summary>
    public ContainerSandbox? Sandbox { get; set; }

    /// <summary>Completes once the container has terminated and its status says so.</summary>
    public Task Terminated { get; set; } = Task.CompletedTask;

    public bool Running => Process is not null && !Terminated.IsCompleted;

    public int? ExitCode { get; set; }

    /// <summary>A reason that wins over Completed/Error, such as OOMKilled.</summary>
    public string? ForcedReason { get; set; }

    public string ContainerId { get; } = "containerd://" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public V1ContainerStatus Status { get; } = new()
    {
        Name = spec.Name,
        Image = spec.Image,
        ImageID = spec.Image + "@sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(spec.Image ?? ""))),
        Ready = false,
        Started = false,
        RestartCount = 0,
        State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "PodInitializing" } },
    };
}

/// <summary>
/// The kubelet for one pod: schedules it, runs its init containers one by one (native sidecars
/// kept running), then its containers side by side, and writes every status change to the pod.
/// </summary>
/// <remarks>
/// Every pod is run as <c>restartPolicy: Never</c>: a container that exits is never restarted,
/// a sidecar included. Stops (delete, eviction, deadline, node loss) cancel the lifecycle and are
/// handled in one place once it has unwound, so a stop and a normal end cannot both write the
/// final status.
/// </remarks>
internal sealed class PodWorker
{
    private const int TerminationMessageLimit = 4096;
    private const int FallbackLogLines = 80;
    private const int FallbackLogBytes = 2048;

    private readonly KubeletContext _context;
    private readonly V1Pod _pod;
    private readonly V1PodStatus _status;
    private readonly Lock _statusGate = new();
    private readonly ConcurrentDictionary<string, PodContainer> _containers = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Lock _gate = new();
    private StopRequest? _request;
    private bool _finished;
    private bool _silent;
    private string? _nodeName;

    public PodWorker(KubeletContext context, V1Pod pod)
    {
        _context = context;
        _pod = pod;
        _status = pod.Status ?? new V1PodStatus { Phase = "Pending" };
        Completion = Task.CompletedTask;
    }

    public string Namespace => _pod.Namespace();

    public string Name => _pod.Name();

    public string Uid => _pod.Uid();

    public Task Completion { get; private set; }

    private TimeProvider Time => _context.Time;

    private TimeSpan PodGracePeriod => TimeSpan.FromSeconds(_pod.Spec.TerminationGracePeriodSeconds ?? 30);

    public void Start() => Completion = Task.Run(RunAsync);

    public ContainerLog? Log(string container) => _containers.TryGetValue(container, out var c) ? c.Log : null;

    /// <summary>Asks the pod to stop; false when its lifecycle is already over (the caller does what is left).</summary>
    public bool RequestStop(StopRequest request)
    {
        lock (_gate)
        {
            if (_finished)
            {
                return false;
            }

            if (_request is null || request.Kind is StopKind.NodeLost or StopKind.Shutdown)
            {
                _request = request;
            }
        }

        _stop.Cancel();
        return true;
    }

    /// <summary>SIGKILLs every process of the pod now, whatever the lifecycle is doing.</summary>
    public void KillAll()
    {
        foreach (var c in _containers.Values)
        {
            c.Process?.Kill();
        }
    }

    /// <summary>Kills a running container as the kernel's OOM killer would: SIGKILL, reason OOMKilled.</summary>
    public bool OomKill(string container)
    {
        if (!_containers.TryGetValue(container, out var c) || !c.Running)
        {
            return false;
        }

        c.ForcedReason = "OOMKilled";
        c.Process!.Kill();
        return true;
    }

    private async Task RunAsync()
    {
        try
        {
            await LifecycleAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // A stop request: handled below once the lifecycle has unwound.
        }
        catch (Exception e) when (e is KubeletException or IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            FailPod("FakeKubeletError", e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug of the fake: the pod fails visibly and the test can see why.
            _context.Errors.Enqueue(e);
            FailPod("FakeKubeletError", e.Message);
        }

        StopRequest? request;
        lock (_gate)
        {
            _finished = true;
            request = _request;
        }

        await _lifetime.CancelAsync().ConfigureAwait(false);
        if (request is not null)
        {
            await HandleStopAsync(request).ConfigureAwait(false);
        }

        // Whatever still runs (a sidecar left by a failure) goes with the pod.
        KillAll();
        await Task.WhenAll(_containers.Values.Select(c => c.Terminated)).ConfigureAwait(false);
        foreach (var c in _containers.Values)
        {
            if (c.Process is { } p)
            {
                await p.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task LifecycleAsync(CancellationToken ct)
    {
        if (_context.Options.SchedulingDelay > TimeSpan.Zero)
        {
            await Task.Delay(_context.Options.SchedulingDelay, Time, ct).ConfigureAwait(false);
        }

        await WaitForClaimsAsync(ct).ConfigureAwait(false);
        Schedule();

        var podDirectory = _context.PodDirectory(Namespace, Name, Uid);
        Directory.CreateDirectory(podDirectory);
        var volumes = await RetryAsync(
            () => PodVolumes.Materialize(_pod, _context, podDirectory),
            e => _context.RecordEvent(_pod, "Warning", "FailedMount", e.Message),
            ct).ConfigureAwait(false);

        if (_pod.Spec.ActiveDeadlineSeconds is { } deadline)
        {
            _ = EnforceDeadlineAsync(TimeSpan.FromSeconds(deadline));
        }

        foreach (var spec in _pod.Spec.InitContainers ?? [])
        {
            var c = await StartContainerAsync(spec, init: true, volumes, podDirectory, ct).ConfigureAwait(false);
            if (c.IsSidecar)
            {
                if (!await SidecarStartedAsync(c, ct).ConfigureAwait(false))
                {
                    await StopSidecarsAsync().ConfigureAwait(false);
                    Finish("Failed");
                    return;
                }

                continue;
            }

            await c.Terminated.WaitAsync(ct).ConfigureAwait(false);
            if (c.ExitCode != 0)
            {
                await StopSidecarsAsync().ConfigureAwait(false);
                Finish("Failed");
                return;
            }
        }

        var main = new List<PodContainer>();
        foreach (var spec in _pod.Spec.Containers ?? [])
        {
            main.Add(await StartContainerAsync(spec, init: false, volumes, podDirectory, ct).ConfigureAwait(false));
        }

        await Task.WhenAll(main.Select(c => c.Terminated)).WaitAsync(ct).ConfigureAwait(false);
        await StopSidecarsAsync().ConfigureAwait(false);
        Finish(main.All(c => c.ExitCode == 0) ? "Succeeded" : "Failed");
    }

    /// <summary>The scheduler's part: a pod whose claims do not exist yet stays unschedulable, and is retried.</summary>
    private async Task WaitForClaimsAsync(CancellationToken ct)
    {
        var reported = false;
        while (true)
        {
            var missing = (_pod.Spec.Volumes ?? [])
                .Where(v => v.PersistentVolumeClaim is not null)
                .Select(v => v.PersistentVolumeClaim.ClaimName)
                .FirstOrDefault(claim => _context.Store.Get(ResourceKind.PersistentVolumeClaims, Namespace, claim) is null);
            if (missing is null)
            {
                return;
            }

            if (!reported)
            {
                reported = true;
                var message = $"0/1 nodes are available: persistentvolumeclaim \"{missing}\" not found.";
                _context.RecordEvent(_pod, "Warning", "FailedScheduling", message, component: "default-scheduler");
                lock (_statusGate)
                {
                    SetCondition("PodScheduled", "False", "Unschedulable", message);
                    Publish();
                }
            }

            await Task.Delay(_context.Options.RetryInterval, Time, ct).ConfigureAwait(false);
        }
    }

    private void Schedule()
    {
        var now = KubeJson.Seconds(Time.GetUtcNow());
        lock (_statusGate)
        {
            _nodeName = _context.Options.NodeName;
            _pod.Spec.NodeName = _nodeName;
            SetCondition("PodScheduled", "True");
            Publish();
        }

        _context.RecordEvent(_pod, "Normal", "Scheduled", $"Successfully assigned {Namespace}/{Name} to {_context.Options.NodeName}", component: "default-scheduler");

        lock (_statusGate)
        {
            _status.StartTime = now;
            _status.HostIP = "127.0.0.1";
            _status.HostIPs = [new V1HostIP { Ip = "127.0.0.1" }];
            _status.PodIP = "127.0.0.1";
            _status.PodIPs = [new V1PodIP { Ip = "127.0.0.1" }];
            _status.QosClass = QosClass(_pod.Spec);
            var hasInit = (_pod.Spec.InitContainers ?? []).Count > 0;
            _status.InitContainerStatuses = (_pod.Spec.InitContainers ?? [])
                .Select(s => _containers.GetOrAdd(s.Name, _ => new PodContainer(s, init: true)).Status)
                .ToList();
            _status.ContainerStatuses = (_pod.Spec.Containers ?? [])
                .Select(s =>
                {
                    var c = _containers.GetOrAdd(s.Name, _ => new PodContainer(s, init: false));
                    c.Status.State.Waiting.Reason = hasInit ? "PodInitializing" : "ContainerCreating";
                    return c.Status;
                })
                .ToList();
            if (!hasInit)
            {
                _status.InitContainerStatuses = null;
            }

            SetCondition("PodReadyToStartContainers", "True");
            Publish();
        }
    }

    private async Task<PodContainer> StartContainerAsync(
        V1Container spec, bool init, IReadOnlyDictionary<string, string> volumes, string podDirectory, CancellationToken ct)
    {
        var c = _containers[spec.Name];
        var fieldPath = KubeletContext.FieldPath(spec, init);
        Dictionary<string, string> env;
        try
        {
            env = await RetryAsync(
                () => ContainerEnvironment.Build(_pod, spec, _context),
                e =>
                {
                    lock (_statusGate)
                    {
                        c.Status.State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = e.Reason, Message = e.Message } };
                        Publish();
                    }

                    _context.RecordEvent(_pod, "Warning", "Failed", "Error: " + e.Message, fieldPath);
                },
                ct).ConfigureAwait(false);
        }
        catch (KubeletException e)
        {
            return FailToStart(c, 128, e.Message, fieldPath);
        }

        var process = ImageConfigs.Process(spec);
        if (process.Count == 0)
        {
            // containerd's words for an image with no ENTRYPOINT or CMD and a container with neither command nor args.
            return FailToStart(c, 128, "failed to create containerd task: failed to create shim task: OCI runtime create failed: no command specified", fieldPath);
        }

        var command = process.Select(a => ContainerEnvironment.Expand(a, env)).ToList();
        var mounts = new List<Mount>();
        foreach (var m in spec.VolumeMounts ?? [])
        {
            if (!volumes.TryGetValue(m.Name, out var host))
            {
                return FailToStart(c, 128, $"volume \"{m.Name}\" of mount {m.MountPath} is not a volume of the pod", fieldPath);
            }

            if (!string.IsNullOrEmpty(m.SubPath))
            {
                host = Path.Combine(host, m.SubPath);
                if (!File.Exists(host))
                {
                    Directory.CreateDirectory(host);
                }
            }

            mounts.Add(new Mount(host, m.MountPath, m.ReadOnlyProperty == true));
        }

        var containerDirectory = Path.Combine(podDirectory, "containers", spec.Name);
        Directory.CreateDirectory(containerDirectory);
        var terminationFile = Path.Combine(containerDirectory, "termination-log");
        File.WriteAllBytes(terminationFile, []);
        mounts.Add(new Mount(terminationFile, spec.TerminationMessagePath ?? "/dev/termination-log", ReadOnly: false));

        _context.RecordEvent(_pod, "Normal", "Pulled", $"Container image \"{spec.Image}\" already present on machine", fieldPath);
        _context.RecordEvent(_pod, "Normal", "Created", $"Created container: {spec.Name}", fieldPath);

        c.Sandbox = new ContainerSandbox(Name, mounts, spec.WorkingDir ?? "/", env);
        var arguments = SandboxLayout.Arguments(Name, mounts, spec.WorkingDir ?? "/", command);
        try
        {
            c.Process = await ContainerProcess.StartAsync(
                _context.Options.BubblewrapPath, arguments, env, line => c.Log.Append(new LogLine(Time.GetUtcNow(), line))).ConfigureAwait(false);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return FailToStart(c, 128, $"cannot start {_context.Options.BubblewrapPath}: {e.Message}", fieldPath);
        }

        var startedAt = Time.GetUtcNow();
        lock (_statusGate)
        {
            c.Status.State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = KubeJson.Seconds(startedAt) } };
            c.Status.ContainerID = c.ContainerId;
            // A sidecar with a startup probe has started once the probe succeeded; one with a readiness probe is Ready once that one did.
            c.Status.Started = !c.IsSidecar || spec.StartupProbe is null;
            c.Status.Ready = !init || (c.IsSidecar && spec.StartupProbe is null && spec.ReadinessProbe is null);
            if (!init)
            {
                _status.Phase = "Running";
            }

            Publish();
        }

        _context.RecordEvent(_pod, "Normal", "Started", $"Started container {spec.Name}", fieldPath);
        c.Terminated = WatchExitAsync(c, startedAt, terminationFile);
        return c;
    }

    /// <summary>
    /// Waits until the next init container may start after native sidecar <paramref name="c"/>:
    /// once its startup probe succeeded, or, without one, once the kubelet noticed it running. False
    /// when it never got there (its startup probe failed <c>failureThreshold</c> times, or it ended
    /// first): the real kubelet would restart it and keep the next container waiting; this one
    /// restarts nothing, so the pod fails.
    /// </summary>
    private async Task<bool> SidecarStartedAsync(PodContainer c, CancellationToken ct)
    {
        if (c.Process is null)
        {
            return false;
        }

        var fieldPath = KubeletContext.FieldPath(c.Spec, init: true);
        if (c.Spec.StartupProbe is not { } startup)
        {
            // The container's command runs once the runtime exec'd it; the kubelet sees it running at
            // its next relist (the generic PLEG's, every second) and starts the next init container at
            // the pod sync that follows. A whole relist period is waited: the worst case, and a
            // deterministic one. This gap is what a step relies on when it reads what a sidecar
            // writes as it starts, on a real cluster too.
            await c.Process.Started.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).ConfigureAwait(false);
            if (c.Spec.ReadinessProbe is { } alone)
            {
                _ = ReadyAsync(c, alone);
            }

            await Task.Delay(_context.Options.RelistPeriod, Time, ct).ConfigureAwait(false);
            return true;
        }

        if (!await ProbeAsync(c, startup, "Startup", ct).ConfigureAwait(false))
        {
            if (!c.Terminated.IsCompleted)
            {
                _context.RecordEvent(_pod, "Normal", "Killing", $"Container {c.Spec.Name} failed startup probe, will be restarted", fieldPath);
                await c.Process.TerminateAsync(PodGracePeriod, Time).ConfigureAwait(false);
                await c.Terminated.ConfigureAwait(false);
            }

            return false;
        }

        lock (_statusGate)
        {
            c.Status.Started = true;
            c.Status.Ready = c.Spec.ReadinessProbe is null;
            Publish();
        }

        if (c.Spec.ReadinessProbe is { } readiness)
        {
            _ = ReadyAsync(c, readiness);
        }

        return true;
    }

    /// <summary>A readiness probe, run until it first succeeds (enough for the Ready condition here).</summary>
    private async Task ReadyAsync(PodContainer c, V1Probe readiness)
    {
        try
        {
            if (await ProbeAsync(c, readiness, "Readiness", _lifetime.Token).ConfigureAwait(false))
            {
                lock (_statusGate)
                {
                    c.Status.Ready = !c.Terminated.IsCompleted;
                    Publish();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The pod ended first.
        }
    }

    /// <summary>
    /// The prober's loop: a try every <c>periodSeconds</c> (default 10) from the container's start,
    /// the tries before <c>initialDelaySeconds</c> skipped; true at the first success, false once
    /// <c>failureThreshold</c> tries (default 3) in a row failed — which only a startup probe acts on —
    /// or the container ended.
    /// </summary>
    private async Task<bool> ProbeAsync(PodContainer c, V1Probe probe, string kind, CancellationToken ct)
    {
        var period = TimeSpan.FromSeconds(Math.Max(1, probe.PeriodSeconds ?? 10));
        var initialDelay = TimeSpan.FromSeconds(Math.Max(0, probe.InitialDelaySeconds ?? 0));
        var threshold = Math.Max(1, probe.FailureThreshold ?? 3);
        var started = Time.GetUtcNow();
        var failures = 0;
        var fieldPath = KubeletContext.FieldPath(c.Spec, c.IsInit);
        while (!c.Terminated.IsCompleted)
        {
            var tick = Time.GetUtcNow();
            if (tick - started >= initialDelay)
            {
                ProbeResult result;
                try
                {
                    result = await Prober.RunAsync(probe, c.Spec, c.Sandbox!, _context.Options.BubblewrapPath, Time, ct).ConfigureAwait(false);
                }
                catch (KubeletException e)
                {
                    result = new ProbeResult(false, e.Message);
                }

                if (result.Success)
                {
                    return !c.Terminated.IsCompleted;
                }

                failures++;
                _context.RecordEvent(_pod, "Warning", "Unhealthy", $"{kind} probe failed: {result.Output}", fieldPath);
                if (kind == "Startup" && failures >= threshold)
                {
                    return false;
                }
            }

            // A ticker: the next try a period after this one began, at once if this one took longer.
            var wait = period - (Time.GetUtcNow() - tick);
            if (wait > TimeSpan.Zero)
            {
                await Task.WhenAny(Task.Delay(wait, Time, ct), c.Terminated).ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
            }
        }

        return false;
    }

    private PodContainer FailToStart(PodContainer c, int exitCode, string message, string fieldPath)
    {
        var now = KubeJson.Seconds(Time.GetUtcNow());
        c.ExitCode = exitCode;
        lock (_statusGate)
        {
            c.Status.State = new V1ContainerState
            {
                Terminated = new V1ContainerStateTerminated
                {
                    ExitCode = exitCode,
                    Reason = "StartError",
                    Message = message,
                    StartedAt = now,
                    FinishedAt = now,
                    ContainerID = c.ContainerId,
                },
            };
            c.Status.ContainerID = c.ContainerId;
            Publish();
        }

        c.Log.End();
        _context.RecordEvent(_pod, "Warning", "Failed", "Error: " + message, fieldPath);
        return c;
    }

    private async Task WatchExitAsync(PodContainer c, DateTimeOffset startedAt, string terminationFile)
    {
        var exitCode = await c.Process!.Exited.ConfigureAwait(false);
        var message = TerminationMessage(c, exitCode, terminationFile);
        c.ExitCode = exitCode;
        lock (_statusGate)
        {
            c.Status.State = new V1ContainerState
            {
                Terminated = new V1ContainerStateTerminated
                {
                    ExitCode = exitCode,
                    Reason = c.ForcedReason ?? (exitCode == 0 ? "Completed" : "Error"),
                    Message = message,
                    StartedAt = KubeJson.Seconds(startedAt),
                    FinishedAt = KubeJson.Seconds(Time.GetUtcNow()),
                    ContainerID = c.ContainerId,
                },
            };
            c.Status.Ready = false;
            c.Status.Started = false;
            Publish();
        }

        c.Log.End();
    }

    /// <summary>
    /// The kubelet's reading: the last 4096 bytes of the termination-message file; with
    /// FallbackToLogsOnError, a failed container with an empty file gets the last 80 lines of its
    /// log (at most 2048 bytes) instead.
    /// </summary>
    private static string? TerminationMessage(PodContainer c, int exitCode, string terminationFile)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(terminationFile);
        }
        catch (IOException)
        {
            bytes = [];
        }

        if (bytes.Length > TerminationMessageLimit)
        {
            bytes = bytes[^TerminationMessageLimit..];
        }

        if (bytes.Length == 0 && exitCode != 0 && c.Spec.TerminationMessagePolicy == "FallbackToLogsOnError")
        {
            var tail = string.Join('\n', c.Log.Snapshot().TakeLast(FallbackLogLines).Select(l => l.Text));
            bytes = Encoding.UTF8.GetBytes(tail);
            if (bytes.Length > FallbackLogBytes)
            {
                bytes = bytes[^FallbackLogBytes..];
            }
        }

        return bytes.Length == 0 ? null : Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Native sidecars end after the main containers, in reverse order, each with the pod's grace period.</summary>
    private async Task StopSidecarsAsync()
    {
        foreach (var c in _containers.Values.Where(c => c.IsSidecar && c.Running).Reverse().ToList())
        {
            _context.RecordEvent(_pod, "Normal", "Killing", $"Stopping container {c.Spec.Name}", KubeletContext.FieldPath(c.Spec, init: true));
            await c.Process!.TerminateAsync(PodGracePeriod, Time).ConfigureAwait(false);
            await c.Terminated.ConfigureAwait(false);
        }
    }

    private async Task HandleStopAsync(StopRequest request)
    {
        switch (request.Kind)
        {
            case StopKind.Shutdown:
            case StopKind.NodeLost:
                lock (_statusGate)
                {
                    _silent = true;
                }

                KillAll();
                await Task.WhenAll(_containers.Values.Select(c => c.Terminated)).ConfigureAwait(false);
                if (request.Kind == StopKind.NodeLost)
                {
                    _context.Store.Delete(ResourceKind.Pods, Namespace, Name, Uid);
                }

                return;

            case StopKind.Evicted:
                await FailAsync("Evicted", "The node was low on resource: memory.", TimeSpan.Zero, disruption: true).ConfigureAwait(false);
                return;

            case StopKind.DeadlineExceeded:
                await FailAsync("DeadlineExceeded", "Pod was active on the node longer than the specified deadline", request.GracePeriod, disruption: false).ConfigureAwait(false);
                return;

            case StopKind.Deleted:
                var started = _containers.Values.Any(c => c.Process is not null || c.ExitCode is not null);
                await TerminateAllAsync(request.GracePeriod).ConfigureAwait(false);
                if (started && _status.Phase is not ("Succeeded" or "Failed"))
                {
                    var main = _containers.Values.Where(c => !c.IsInit).ToList();
                    Finish(main.Count > 0 && main.All(c => c.ExitCode == 0) ? "Succeeded" : "Failed");
                }

                _context.Store.Delete(ResourceKind.Pods, Namespace, Name, Uid);
                return;
        }
    }

    private async Task TerminateAllAsync(TimeSpan grace)
    {
        var running = _containers.Values.Where(c => c.Running).ToList();
        foreach (var c in running)
        {
            _context.RecordEvent(_pod, "Normal", "Killing", $"Stopping container {c.Spec.Name}", KubeletContext.FieldPath(c.Spec, c.IsInit));
        }

        await Task.WhenAll(running.Select(c => c.Process!.TerminateAsync(grace, Time))).ConfigureAwait(false);
        await Task.WhenAll(running.Select(c => c.Terminated)).ConfigureAwait(false);
    }

    private async Task EnforceDeadlineAsync(TimeSpan deadline)
    {
        try
        {
            await Task.Delay(deadline, Time, _lifetime.Token).ConfigureAwait(false);
            RequestStop(new StopRequest(StopKind.DeadlineExceeded, PodGracePeriod));
        }
        catch (OperationCanceledException)
        {
            // The pod ended before its deadline.
        }
    }

    /// <summary>Runs <paramref name="attempt"/> until it stops throwing a retryable error; <paramref name="firstFailure"/> hears of the first.</summary>
    private async Task<T> RetryAsync<T>(Func<T> attempt, Action<KubeletException> firstFailure, CancellationToken ct)
    {
        var reported = false;
        while (true)
        {
            try
            {
                return attempt();
            }
            catch (KubeletException e) when (e.Retryable)
            {
                if (!reported)
                {
                    reported = true;
                    firstFailure(e);
                }
            }

            await Task.Delay(_context.Options.RetryInterval, Time, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The kubelet ends the pod itself (eviction, deadline): phase Failed with the reason, an event, then its containers stop.</summary>
    private async Task FailAsync(string reason, string message, TimeSpan grace, bool disruption)
    {
        lock (_statusGate)
        {
            _status.Phase = "Failed";
            _status.Reason = reason;
            _status.Message = message;
            if (disruption)
            {
                SetCondition("DisruptionTarget", "True", "TerminationByKubelet", message);
            }

            Publish();
        }

        _context.RecordEvent(_pod, "Warning", reason, message);
        await TerminateAllAsync(grace).ConfigureAwait(false);
        Finish("Failed");
    }

    private void Finish(string phase)
    {
        lock (_statusGate)
        {
            _status.Phase = phase;
            Publish();
        }
    }

    private void FailPod(string reason, string message)
    {
        lock (_statusGate)
        {
            _status.Phase = "Failed";
            _status.Reason = reason;
            _status.Message = message;
            Publish();
        }

        _context.RecordEvent(_pod, "Warning", reason, message);
    }

    /// <summary>Writes the status to the pod object (a MODIFIED event). Callers hold <see cref="_statusGate"/>.</summary>
    private void Publish()
    {
        if (_silent)
        {
            return;
        }

        RefreshConditions();
        var status = KubeJson.ToNode(_status);
        var node = _nodeName;
        _context.Store.Update(ResourceKind.Pods, Namespace, Name, obj =>
        {
            if ((string?)obj["metadata"]?["uid"] != Uid)
            {
                return false;
            }

            obj["status"] = status.DeepClone();
            if (node is not null && obj["spec"] is System.Text.Json.Nodes.JsonObject spec)
            {
                spec["nodeName"] = node;
            }

            return true;
        });
    }

    private void RefreshConditions()
    {
        if (_status.StartTime is null)
        {
            return;
        }

        var init = _containers.Values.Where(c => c.IsInit).ToList();
        var incompleteInit = init.Where(c => c.IsSidecar ? c.Status.Started != true : c.ExitCode != 0).Select(c => c.Spec.Name).ToList();
        SetCondition("Initialized", incompleteInit.Count == 0 ? "True" : "False",
            incompleteInit.Count == 0 ? null : "ContainersNotInitialized",
            incompleteInit.Count == 0 ? null : $"containers with incomplete status: [{string.Join(' ', incompleteInit)}]");

        var terminal = _status.Phase is "Succeeded" or "Failed";
        var notReady = _containers.Values.Where(c => !c.IsInit || c.IsSidecar).Where(c => c.Status.Ready != true).Select(c => c.Spec.Name).ToList();
        var (status, reason, message) = terminal
            ? ("False", "PodCompleted", (string?)null)
            : notReady.Count == 0
                ? ("True", (string?)null, (string?)null)
                : ("False", "ContainersNotReady", $"containers with unready status: [{string.Join(' ', notReady)}]");
        SetCondition("ContainersReady", status, reason, message);
        SetCondition("Ready", status, reason, message);
    }

    private void SetCondition(string type, string status, string? reason = null, string? message = null)
    {
        _status.Conditions ??= [];
        var existing = _status.Conditions.FirstOrDefault(c => c.Type == type);
        if (existing is null)
        {
            existing = new V1PodCondition { Type = type };
            _status.Conditions.Add(existing);
        }

        if (existing.Status != status)
        {
            existing.LastTransitionTime = KubeJson.Seconds(Time.GetUtcNow());
        }

        existing.Status = status;
        existing.Reason = reason;
        existing.Message = message;
    }

    private static string QosClass(V1PodSpec spec)
    {
        var containers = (spec.InitContainers ?? []).Concat(spec.Containers ?? []).ToList();
        var resources = containers.Select(c => c.Resources).ToList();
        if (resources.All(r => (r?.Requests is null || r.Requests.Count == 0) && (r?.Limits is null || r.Limits.Count == 0)))
        {
            return "BestEffort";
        }

        var guaranteed = resources.All(r =>
            r?.Limits is { } limits && limits.ContainsKey("cpu") && limits.ContainsKey("memory") &&
            (r.Requests is null || r.Requests.All(q => limits.TryGetValue(q.Key, out var l) && l.Equals(q.Value))));
        return guaranteed ? "Guaranteed" : "Burstable";
    }
}
