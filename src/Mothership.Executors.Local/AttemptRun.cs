using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Mothership.Engine.Execution;
using Mothership.Executors.Local.Processes;
using Mothership.Executors.Local.Results;
using Mothership.Executors.Local.Sandbox;
using Mothership.Executors.Local.Steps;
using Mothership.Executors.Local.Workspaces;
using Mothership.Model.Substitution;
using Mothership.Model.Validation;
using Mothership.Model.Tekton;

namespace Mothership.Executors.Local;

/// <summary>One attempt of one TaskRun, from its directories to its outcome.</summary>
internal sealed class AttemptRun(
    LocalExecutorOptions options,
    TaskRunRequest request,
    ITaskRunListener listener,
    CancellationToken stop,
    CancellationToken cancelled)
{
    /// <summary>The label that gives a sandboxed TaskRun the host's network.</summary>
    public const string NetworkLabel = "mothership.io/network";

    private readonly TimeProvider _time = options.TimeProvider;
    private readonly SecretMasker _masker = new();
    private readonly Lock _logLock = new();
    private readonly Dictionary<string, ParamValue> _stepResults = new(StringComparer.Ordinal);
    private AttemptDirectories _dirs = null!;
    private AttemptParts _parts;
    private IReadOnlyList<ResolvedWorkspace> _workspaces = [];
    private IReadOnlyDictionary<string, string> _volumes = new Dictionary<string, string>();
    private bool _layout;
    private HashSet<string> _isolated = [];
    private TaskSpec _spec = null!;
    private string[] _stepNames = [];

    private string View(string hostDir, string tektonPath) => _layout ? tektonPath : hostDir;

    private string WorkspaceView => View(_dirs.Workspace, "/workspace");

    public async Task<TaskRunOutcome> ExecuteAsync()
    {
        var start = _time.GetUtcNow();
        _stepNames = [.. request.Spec.Steps.Select((s, i) => StepName(s, i))];
        var finished = ResumableSteps();
        try
        {
            Prepare(finished.Length);
        }
        catch (TaskRunFailure failure)
        {
            return Finish(start, TaskRunPhase.Failed, failure.Message, [.. finished, .. SkippedAll().Skip(finished.Length)], [], []);
        }

        var sidecars = new List<(string Name, Step Step, ChildProcess Process, DateTimeOffset Started)>();
        var steps = new List<StepState>();
        var phase = TaskRunPhase.Succeeded;
        var message = "All Steps have completed executing";
        foreach (var state in finished)
        {
            steps.Add(state);
            listener.OnStep(request, state);
            foreach (var r in state.Results)
            {
                _stepResults[$"steps.{state.Name}.results.{r.Name}"] = r.Value;
            }

            if (phase == TaskRunPhase.Succeeded && FinishedFailure(steps.Count - 1, state) is { } failure)
            {
                (phase, message) = failure;
            }
        }

        start = finished.Min(s => s.StartedAt) is { } firstStart && firstStart < start ? firstStart : start;
        try
        {
            for (var i = 0; i < _spec.Sidecars.Length && steps.Count < _spec.Steps.Length && phase == TaskRunPhase.Succeeded; i++)
            {
                var sidecar = _spec.Sidecars[i];
                var name = string.IsNullOrEmpty(sidecar.Name) ? $"unnamed-{i}" : sidecar.Name;
                sidecars.Add((name, sidecar, StartSidecar(sidecar, name), _time.GetUtcNow()));
                await WaitReadyAsync(sidecar, name, sidecars[^1].Process).ConfigureAwait(false);
            }

            for (var i = steps.Count; i < _spec.Steps.Length; i++)
            {
                if (phase != TaskRunPhase.Succeeded)
                {
                    steps.Add(Skipped(i));
                    listener.OnStep(request, steps[^1]);
                    continue;
                }

                var (state, failed, failure) = await RunStepAsync(i).ConfigureAwait(false);
                steps.Add(state);
                if (failed)
                {
                    (phase, message) = failure;
                }
            }
        }
        catch (TaskRunFailure failure)
        {
            phase = TaskRunPhase.Failed;
            message = failure.Message;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            (phase, message) = StopReason();
        }

        for (var i = steps.Count; i < _spec.Steps.Length; i++)
        {
            steps.Add(Skipped(i));
        }

        var sidecarStates = await StopSidecarsAsync(sidecars).ConfigureAwait(false);
        var results = ImmutableArray<RunResult>.Empty;
        try
        {
            results = ReadTaskResults();
        }
        catch (TaskRunFailure failure) when (phase == TaskRunPhase.Succeeded)
        {
            phase = TaskRunPhase.Failed;
            message = failure.Message;
        }
        catch (TaskRunFailure)
        {
            // The attempt already failed for an earlier reason, which is the one to report.
        }

        return Finish(start, phase, message, steps, sidecarStates, results);
    }

    /// <summary>
    /// The request's finished steps, checked; empty when the attempt directory they ran in is
    /// gone, so that the attempt runs from its first step (and a log line of that step says why).
    /// </summary>
    private ImmutableArray<StepState> ResumableSteps()
    {
        var finished = request.FinishedSteps.IsDefault ? [] : request.FinishedSteps;
        if (finished.Length > _stepNames.Length)
        {
            throw new ArgumentException($"{finished.Length} finished steps given, but the task has {_stepNames.Length}", nameof(request));
        }

        for (var i = 0; i < finished.Length; i++)
        {
            if (finished[i].Name != _stepNames[i] || finished[i].TerminationReason is null or "Skipped")
            {
                throw new ArgumentException(
                    $"finished step {i} is \"{finished[i].Name}\" ({finished[i].TerminationReason ?? "running"}), but the task's step {i} is \"{_stepNames[i]}\", and it must have ended",
                    nameof(request));
            }
        }

        var attempt = AttemptDirectories.PathOf(options.Root, request.TaskRunUid, request.RetryCount);
        if (finished.IsEmpty || Directory.Exists(attempt))
        {
            return finished;
        }

        Log("step-" + _stepNames[0], null)(
            $"mship: attempt directory {attempt} is missing; running the attempt again from its first step instead of resuming after \"step-{finished[^1].Name}\"");
        return [];
    }

    /// <summary>How a finished step ended the attempt, as <see cref="RunStepAsync"/> decided when it ran; null when the attempt goes on.</summary>
    private (TaskRunPhase, string)? FinishedFailure(int index, StepState state)
    {
        var container = "step-" + _stepNames[index];
        var step = _spec.Steps[index];
        var continueOnError = string.Equals(step.OnError, "continue", StringComparison.Ordinal);
        return state.TerminationReason switch
        {
            "Completed" or "Continued" => null,
            "Cancelled" => CancelledReason(),
            "TimeoutExceeded" when step.Timeout is { } text && GoDuration.TryParse(text, out var limit) =>
                continueOnError ? null : (TaskRunPhase.Failed, StepTimeoutMessage(container, limit)),
            "TimeoutExceeded" => TimedOutReason(),
            _ => (TaskRunPhase.Failed, $"\"{container}\" exited with code {state.ExitCode}"),
        };
    }

    /// <summary>Creates the attempt directory, or reopens it when <paramref name="finishedSteps"/> ran there already.</summary>
    private void Prepare(int finishedSteps)
    {
        var resume = finishedSteps > 0;
        var wantsLayout = options.Sandbox || LayoutRule.NeedsTektonLayout(request.Spec);
        _parts = LayoutRule.NeededParts(request.Spec, wantsLayout);
        _dirs = AttemptDirectories.Create(options.Root, request.TaskRunUid, request.RetryCount, _parts, resume);
        if (resume)
        {
            ForgetUnfinishedSteps(finishedSteps);
        }

        Credentials.CredentialInitializer.Write(_dirs.Home, request, _masker);
        var usable = wantsLayout && Bubblewrap.IsUsable(options.BubblewrapPath);
        if (options.Sandbox && !usable)
        {
            throw new TaskRunFailure($"the sandbox needs bubblewrap, but \"{options.BubblewrapPath} --dev-bind / / true\" does not work here");
        }

        _layout = usable;
        _isolated = [.. request.Spec.Steps.Concat(request.Spec.Sidecars).SelectMany(s => s.Workspaces).Select(u => u.Name)];
        var resolver = new WorkspaceResolver(request, _dirs, _masker);
        _workspaces = resolver.ResolveWorkspaces();
        _volumes = resolver.ResolveVolumes();

        var scope = new VariableScope();
        foreach (var w in _workspaces)
        {
            var bound = w.HostDirectory is not null;
            scope.Set($"workspaces.{w.Name}.path", !bound ? "" : _layout ? w.MountPath : w.HostDirectory!);
            scope.Set($"workspaces.{w.Name}.bound", bound ? "true" : "false");
            scope.Set($"workspaces.{w.Name}.claim", w.Claim);
            scope.Set($"workspaces.{w.Name}.volume", bound ? w.Volume : "");
        }

        foreach (var r in request.Spec.Results)
        {
            scope.Set($"results.{r.Name}.path", View(_dirs.Results, "/tekton/results") + "/" + r.Name);
        }

        scope.Set("credentials.path", View(_dirs.Creds, "/tekton/creds"));
        foreach (var name in _stepNames)
        {
            var exitCode = View(_dirs.Steps, "/tekton/steps") + $"/step-{name}/exitCode";
            scope.Set($"steps.step-{name}.exitCode.path", exitCode);
            scope.Set($"steps.{name}.exitCode.path", exitCode);
        }

        _spec = TaskSpecRewriter.Apply(request.Spec, scope);

        // Environment problems fail the attempt before anything runs, as a pod that cannot be
        // created would; this also registers every Secret value with the masker up front.
        foreach (var s in _spec.Steps.Concat(_spec.Sidecars))
        {
            StepEnvironment.Build(request, s, "step-" + s.Name, _dirs.Home, _masker);
        }
    }

    /// <summary>
    /// Removes what the steps from <paramref name="first"/> on left in <c>/tekton/steps</c>: the
    /// step that was running at the crash starts again from nothing, and a step never leaves
    /// results or an exit code for a run it was not part of.
    /// </summary>
    private void ForgetUnfinishedSteps(int first)
    {
        if (!Directory.Exists(_dirs.Steps))
        {
            return;
        }

        for (var i = first; i < _stepNames.Length; i++)
        {
            var dir = Path.Combine(_dirs.Steps, "step-" + _stepNames[i]);
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }

            // The INDEX link (see RunStepAsync); deleting a missing file is no error.
            File.Delete(Path.Combine(_dirs.Steps, i.ToString(CultureInfo.InvariantCulture)));
        }
    }

    private async Task<(StepState State, bool Failed, (TaskRunPhase, string) Failure)> RunStepAsync(int index)
    {
        var name = _stepNames[index];
        var container = "step-" + name;
        var stepDir = Path.Combine(_dirs.Steps, container);
        var keepsStepDir = _parts.HasFlag(AttemptParts.Steps);
        if (keepsStepDir)
        {
            Directory.CreateDirectory(Path.Combine(stepDir, "results"));

            // Tekton's /tekton/steps holds both step-NAME and INDEX, a link to it.
            File.CreateSymbolicLink(Path.Combine(_dirs.Steps, index.ToString(CultureInfo.InvariantCulture)), container);
        }

        var original = _spec.Steps[index];
        var stepScope = new VariableScope(_stepResults);
        foreach (var r in original.Results)
        {
            stepScope.Set($"step.results.{r.Name}.path", View(_dirs.Steps, "/tekton/steps") + $"/{container}/results/{r.Name}");
        }

        var step = TaskSpecRewriter.ApplyStep(original, stepScope);
        var started = _time.GetUtcNow();
        var state = new StepState { Name = name, Container = container, Image = step.Image, StartedAt = started };

        TimeSpan? stepTimeout = null;
        if (step.Timeout is { } text)
        {
            if (!GoDuration.TryParse(text, out var parsed))
            {
                throw new TaskRunFailure($"\"{container}\": invalid timeout \"{text}\"");
            }

            stepTimeout = parsed > TimeSpan.Zero ? parsed : null;
        }

        using var stepTimer = stepTimeout is { } st ? new CancellationTokenSource(st, _time) : new CancellationTokenSource();
        using var stepStop = CancellationTokenSource.CreateLinkedTokenSource(stop, stepTimer.Token);

        listener.OnStep(request, state);
        var (exitCode, stopped) = await RunProcessAsync(step, container, stepStop.Token).ConfigureAwait(false);
        var finished = _time.GetUtcNow();
        var results = new List<RunResult>();
        if (keepsStepDir)
        {
            File.WriteAllText(Path.Combine(stepDir, "exitCode"), exitCode.ToString(CultureInfo.InvariantCulture));
            results = ResultFiles.Read(Path.Combine(stepDir, "results"), step.Results, container);
        }

        foreach (var r in results)
        {
            _stepResults[$"steps.{name}.results.{r.Name}"] = r.Value;
        }

        var continueOnError = string.Equals(step.OnError, "continue", StringComparison.Ordinal);
        string termination;
        var failed = false;
        (TaskRunPhase, string) failure = default;
        if (stopped && stop.IsCancellationRequested)
        {
            failure = StopReason();
            failed = true;
            termination = failure.Item1 == TaskRunPhase.Cancelled ? "Cancelled" : "TimeoutExceeded";
        }
        else if (stopped)
        {
            termination = "TimeoutExceeded";
            failed = !continueOnError;
            failure = (TaskRunPhase.Failed, StepTimeoutMessage(container, stepTimeout!.Value));
        }
        else if (exitCode == 0)
        {
            termination = "Completed";
        }
        else if (continueOnError)
        {
            termination = "Continued";
        }
        else
        {
            termination = "Error";
            failed = true;
            failure = (TaskRunPhase.Failed, $"\"{container}\" exited with code {exitCode}");
        }

        state = state with
        {
            FinishedAt = finished,
            ExitCode = exitCode,
            Reason = exitCode == 0 ? "Completed" : "Error",
            TerminationReason = termination,
            Results = [.. results],
        };
        listener.OnStep(request, state);
        return (state, failed, failure);
    }

    private async Task<(int ExitCode, bool Stopped)> RunProcessAsync(Step step, string container, CancellationToken token)
    {
        var mountPoints = new List<string>();
        var launch = Launch(step, container, step.Command, useScript: true, mountPoints);
        try
        {
            using var stdoutFile = OpenOutput(step.StdoutConfig, container);
            using var stderrFile = OpenOutput(step.StderrConfig, container);
            // Without stdout/stderr files the two streams share one pipe, as a container log does.
            using var process = stdoutFile is null && stderrFile is null
                ? ChildProcess.Start(launch, Log(container, null))
                : ChildProcess.Start(launch, Log(container, stdoutFile), Log(container, stderrFile));
            return await process.WaitAsync(request.GracePeriod, _time, token).ConfigureAwait(false);
        }
        finally
        {
            RemoveMountPoints(mountPoints);
        }
    }

    /// <summary>
    /// Removes the empty directories bubblewrap created as mount points of isolated workspaces,
    /// so that a later step without the workspace does not find <c>/workspace/NAME</c>.
    /// </summary>
    private static void RemoveMountPoints(List<string> mountPoints)
    {
        foreach (var dir in mountPoints)
        {
            try
            {
                if (Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any())
                {
                    Directory.Delete(dir);
                }
            }
            catch (IOException)
            {
                // Something else uses the directory now; an empty directory left behind is harmless.
            }
        }
    }

    private Action<string> Log(string container, StreamWriter? copy) => line =>
    {
        lock (_logLock)
        {
            copy?.Write(line + "\n");
            listener.OnLog(request, container, _masker.Mask(line));
        }
    };

    private StreamWriter? OpenOutput(OutputConfig? config, string container)
    {
        if (config is null || string.IsNullOrEmpty(config.Path))
        {
            return null;
        }

        var path = config.Path.StartsWith('/') ? config.Path : WorkspaceView + "/" + config.Path;
        var host = ViewFor([]).ToHost(path)
            ?? throw new TaskRunFailure($"\"{container}\": output path \"{config.Path}\" is not under a workspace, volume or /tekton directory");
        Directory.CreateDirectory(Path.GetDirectoryName(host)!);
        return new StreamWriter(host, append: false, new UTF8Encoding(false));
    }

    /// <summary>The binds every step of this attempt gets, plus the step's own mounts.</summary>
    private PathView ViewFor(IEnumerable<Bind> extra)
    {
        if (!_layout)
        {
            return new PathView([], layout: false);
        }

        var binds = new List<Bind>
        {
            new(_dirs.Workspace, "/workspace", false),
            new(_dirs.Results, "/tekton/results", false),
            new(_dirs.Home, "/tekton/home", false),
            new(_dirs.Steps, "/tekton/steps", false),
            new(_dirs.Scripts, "/tekton/scripts", true),
            new(_dirs.Creds, "/tekton/creds", false),
        };
        binds.AddRange(_workspaces.Where(w => w.HostDirectory is not null && !_isolated.Contains(w.Name)).Select(w => new Bind(w.HostDirectory!, w.MountPath, w.ReadOnly)));
        binds.AddRange(extra);
        return new PathView(binds, layout: true);
    }

    private LaunchSpec Launch(Step step, string container, IReadOnlyList<string> command, bool useScript, List<string>? mountPoints = null)
    {
        var extra = new List<Bind>();
        foreach (var m in step.VolumeMounts)
        {
            var readOnly = m.ReadOnly;
            if (!_volumes.TryGetValue(m.Name, out var dir))
            {
                // "name: $(workspaces.w.volume)" mounts the workspace, as a pod's volume would.
                var ws = _workspaces.FirstOrDefault(w => w.HostDirectory is not null && w.Volume == m.Name)
                    ?? throw new TaskRunFailure($"\"{container}\": volumeMount \"{m.Name}\" names no volume of the task");
                dir = ws.HostDirectory!;
                readOnly |= ws.ReadOnly;
            }

            if (!_layout)
            {
                throw new TaskRunFailure($"\"{container}\": volumeMount at \"{m.MountPath}\" needs bubblewrap ({options.BubblewrapPath}), which is not usable here");
            }

            if (!string.IsNullOrEmpty(m.SubPath))
            {
                dir = Path.Combine(dir, m.SubPath);
                Directory.CreateDirectory(dir);
            }

            extra.Add(new Bind(dir, m.MountPath, readOnly));
        }

        // As in Tekton, a step cannot write to another step's /tekton/steps directory (nor,
        // through the INDEX link, to its exitCode).
        if (_layout)
        {
            foreach (var other in _stepNames.Select(n => "step-" + n).Where(c => c != container))
            {
                var otherDir = Path.Combine(_dirs.Steps, other);
                if (Directory.Exists(otherDir))
                {
                    extra.Add(new Bind(otherDir, "/tekton/steps/" + other, true));
                }
            }
        }

        // Isolated workspaces: only the steps and sidecars that list one see it.
        foreach (var usage in step.Workspaces)
        {
            if (_workspaces.FirstOrDefault(w => w.Name == usage.Name) is { HostDirectory: { } dir } ws && _layout)
            {
                var mountPath = usage.MountPath ?? ws.MountPath;
                // Outside the sandbox a path under no bind is the host's own.
                if ((ViewFor([]).ToHost(mountPath) ?? (options.Sandbox ? null : mountPath)) is { } behind && !Path.Exists(behind))
                {
                    mountPoints?.Add(behind);
                }

                extra.Add(new Bind(dir, mountPath, ws.ReadOnly));
            }
        }

        var (file, args) = useScript
            ? StepCommand.Resolve(step, container, _dirs.Scripts, View(_dirs.Scripts, "/tekton/scripts"))
            : (command[0], command.Skip(1).ToList());

        var workingDir = string.IsNullOrEmpty(step.WorkingDir) ? WorkspaceView
            : step.WorkingDir.StartsWith('/') ? step.WorkingDir
            : WorkspaceView + "/" + step.WorkingDir;
        var view = ViewFor(extra);
        CreateWorkingDir(ref view, extra, workingDir, container);

        var env = StepEnvironment.Build(request, step, container, View(_dirs.Home, "/tekton/home"), _masker);
        if (!_layout)
        {
            return new LaunchSpec(file, args, workingDir, env, DiesWithParentThread: false);
        }

        var network = request.Labels.TryGetValue(NetworkLabel, out var net) && net == "true";
        var writable = new[] { _dirs.Attempt }.Concat(_workspaces.Where(w => w.HostDirectory is not null && !w.ReadOnly).Select(w => w.HostDirectory!));
        var bwrapArgs = Bubblewrap.Arguments(options.Sandbox, network, writable, view.Binds, workingDir);
        bwrapArgs.Add(file);
        bwrapArgs.AddRange(args);
        return new LaunchSpec(options.BubblewrapPath, bwrapArgs, _dirs.Attempt, env);
    }

    /// <summary>
    /// Tekton's init creates a missing <c>workingDir</c>. Under a bind, the host directory behind
    /// it is created; elsewhere in the layout, a directory of the attempt is bound there (an
    /// existing host directory is used as is); without the layout, the host directory is created.
    /// </summary>
    private void CreateWorkingDir(ref PathView view, List<Bind> extra, string workingDir, string container)
    {
        try
        {
            if (!_layout)
            {
                Directory.CreateDirectory(workingDir);
            }
            else if (IsUnderBind(view, workingDir))
            {
                Directory.CreateDirectory(view.ToHost(workingDir)!);
            }
            else if (!Directory.Exists(workingDir))
            {
                var dir = Path.Join(_dirs.Attempt, "workingdirs", workingDir);
                Directory.CreateDirectory(dir);
                extra.Add(new Bind(dir, workingDir, false));
                view = ViewFor(extra);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TaskRunFailure($"\"{container}\": cannot create workingDir \"{workingDir}\": {e.Message}");
        }
    }

    private static bool IsUnderBind(PathView view, string path) =>
        view.Binds.Any(b => path == b.ContainerPath || path.StartsWith(b.ContainerPath.TrimEnd('/') + "/", StringComparison.Ordinal));

    private ChildProcess StartSidecar(Step sidecar, string name)
    {
        var container = "sidecar-" + name;
        var launch = Launch(sidecar, container, sidecar.Command, useScript: true);
        var process = ChildProcess.Start(launch, Log(container, null));
        listener.OnStep(request, new StepState { Name = name, Container = container, Image = sidecar.Image, StartedAt = _time.GetUtcNow() });
        return process;
    }

    private async Task WaitReadyAsync(Step sidecar, string name, ChildProcess process)
    {
        if (sidecar.ReadinessCommand.IsDefaultOrEmpty)
        {
            return;
        }

        var deadline = _time.GetUtcNow() + options.SidecarReadinessTimeout;
        var probe = Launch(sidecar with { Script = null, StdoutConfig = null, StderrConfig = null }, "sidecar-" + name, sidecar.ReadinessCommand, useScript: false);
        while (true)
        {
            if (process.HasExited)
            {
                throw new TaskRunFailure($"sidecar \"{name}\" exited before it became ready");
            }

            using (var check = ChildProcess.Start(probe, _ => { }))
            {
                var (code, _) = await check.WaitAsync(TimeSpan.Zero, _time, stop).ConfigureAwait(false);
                stop.ThrowIfCancellationRequested();
                if (code == 0)
                {
                    return;
                }
            }

            if (_time.GetUtcNow() > deadline)
            {
                throw new TaskRunFailure($"sidecar \"{name}\" did not become ready within {GoDuration.Format(options.SidecarReadinessTimeout)}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), _time, stop).ConfigureAwait(false);
        }
    }

    private async Task<List<StepState>> StopSidecarsAsync(List<(string Name, Step Step, ChildProcess Process, DateTimeOffset Started)> sidecars)
    {
        var states = new List<StepState>();
        foreach (var (name, step, process, started) in sidecars)
        {
            using (process)
            {
                using var now = new CancellationTokenSource();
                await now.CancelAsync().ConfigureAwait(false);
                var (code, _) = await process.WaitAsync(request.GracePeriod, _time, now.Token).ConfigureAwait(false);
                var state = new StepState
                {
                    Name = name,
                    Container = "sidecar-" + name,
                    Image = step.Image,
                    StartedAt = started,
                    FinishedAt = _time.GetUtcNow(),
                    ExitCode = code,
                    Reason = code == 0 ? "Completed" : "Error",
                    TerminationReason = "Completed",
                };
                listener.OnStep(request, state);
                states.Add(state);
            }
        }

        return states;
    }

    private ImmutableArray<RunResult> ReadTaskResults()
    {
        var results = ResultFiles.Read(_dirs.Results, _spec.Results, "task");

        // A task result may take its value from a step result ("value: $(steps.s.results.r)").
        var fromSteps = new VariableScope(_stepResults);
        foreach (var spec in _spec.Results.Where(r => r.Value is not null && results.All(x => x.Name != r.Name)))
        {
            var value = fromSteps.ApplyValue(spec.Value!);
            if (!VariableScope.References(value.ToString()).Any())
            {
                results.Add(new RunResult(spec.Name, value));
            }
        }

        if (options.MaxResultBytes is { } limit)
        {
            var size = results.Sum(r => Encoding.UTF8.GetByteCount(r.Value.ToString()));
            if (size > limit)
            {
                throw new TaskRunFailure($"results exceeded the {limit} bytes limit");
            }
        }

        return [.. results];
    }

    private (TaskRunPhase, string) StopReason() => cancelled.IsCancellationRequested ? CancelledReason() : TimedOutReason();

    private (TaskRunPhase, string) CancelledReason() => (TaskRunPhase.Cancelled, $"TaskRun \"{request.TaskRunName}\" was cancelled");

    private (TaskRunPhase, string) TimedOutReason() =>
        (TaskRunPhase.TimedOut, $"TaskRun \"{request.TaskRunName}\" failed to finish within \"{GoDuration.Format(request.Timeout ?? TimeSpan.Zero)}\"");

    private static string StepTimeoutMessage(string container, TimeSpan limit) =>
        $"\"{container}\" exited because the step exceeded the specified timeout limit; step timed out after \"{GoDuration.Format(limit)}\"";

    private StepState Skipped(int index) => new()
    {
        Name = _stepNames[index],
        Container = "step-" + _stepNames[index],
        Image = request.Spec.Steps[index].Image,
        TerminationReason = "Skipped",
    };

    private List<StepState> SkippedAll() => [.. Enumerable.Range(0, _stepNames.Length).Select(Skipped)];

    private static string StepName(Step step, int index) => string.IsNullOrEmpty(step.Name) ? $"unnamed-{index}" : step.Name;

    private TaskRunOutcome Finish(
        DateTimeOffset start, TaskRunPhase phase, string message, IEnumerable<StepState> steps, IEnumerable<StepState> sidecars, ImmutableArray<RunResult> results) =>
        new()
        {
            Phase = phase,
            Message = message,
            StartTime = start,
            CompletionTime = _time.GetUtcNow(),
            Steps = [.. steps],
            Sidecars = [.. sidecars],
            Results = results,
        };
}
