using System.Collections.Immutable;
using System.Globalization;
using Mothership.Engine.Execution;
using Mothership.Executors.Local.Processes;
using Mothership.Executors.Local.Results;
using Mothership.Executors.Local.Workspaces;
using Mothership.Model.Tekton;
using Mothership.Model.Validation;

namespace Mothership.Executors.Local.Attempts;

/// <summary>
/// One attempt of one TaskRun on this machine, from its directories to its outcome: sidecars
/// started and made ready, steps run one after the other as processes, results read back. What
/// every state and the outcome mean (names, verdicts, messages, results and their limit) is the
/// engine's <see cref="AttemptRules"/>, shared with the Kubernetes executor.
/// </summary>
internal sealed class AttemptRun(
    LocalExecutorOptions options,
    TaskRunRequest request,
    ITaskRunListener listener,
    CancellationToken stop,
    CancellationToken cancelled,
    SpareAttempts? spares = null)
{
    private readonly TimeProvider _time = options.TimeProvider;
    private readonly SecretMasker _masker = new();
    private readonly Lock _logLock = new();
    private readonly AttemptRules _rules = new(request, options.ResultLimit);

    public async Task<TaskRunOutcome> ExecuteAsync()
    {
        foreach (var value in request.SecretValues)
        {
            _masker.Add(value);
        }

        var start = _time.GetUtcNow();
        var processes = PidWindow.Open();
        var finished = ResumableSteps();
        PreparedAttempt attempt;
        try
        {
            attempt = PreparedAttempt.Create(options, request, _rules, finished.Length, _masker, spares);
        }
        catch (AttemptFailure failure)
        {
            return AttemptRules.Outcome(new AttemptEnd(TaskRunPhase.Failed, failure.Message), start, _time.GetUtcNow(), _rules.Completed(finished));
        }

        var launcher = new StepLauncher(options, request, attempt, _masker);
        var sidecars = new List<(StepState State, ChildProcess Process)>();
        var steps = new List<StepState>();
        AttemptEnd? end = null;
        for (var i = 0; i < finished.Length; i++)
        {
            steps.Add(finished[i]);
            listener.OnStep(request, finished[i]);
            end ??= _rules.EndOf(i, finished[i]);
        }

        start = finished.Min(s => s.StartedAt) is { } firstStart && firstStart < start ? firstStart : start;
        try
        {
            for (var i = 0; i < attempt.Spec.Sidecars.Length && steps.Count < attempt.Spec.Steps.Length && end is null; i++)
            {
                var sidecar = attempt.Spec.Sidecars[i];
                var container = _rules.SidecarContainer(i);
                var process = ChildProcess.Start(launcher.Launch(sidecar, container, sidecar.Command, useScript: true), Log(container, null));
                var state = new StepState { Name = _rules.SidecarNames[i], Container = container, Image = sidecar.Image, StartedAt = _time.GetUtcNow() };
                sidecars.Add((state, process));
                listener.OnStep(request, state);
                await WaitReadyAsync(launcher, sidecar, state.Name, container, process).ConfigureAwait(false);
            }

            for (var i = steps.Count; i < attempt.Spec.Steps.Length && end is null; i++)
            {
                var (state, ended) = await RunStepAsync(attempt, launcher, i, steps).ConfigureAwait(false);
                steps.Add(state);
                end = ended;
            }
        }
        catch (AttemptFailure failure)
        {
            end = new AttemptEnd(TaskRunPhase.Failed, failure.Message);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            end = _rules.Interrupted(cancelled.IsCancellationRequested);
        }

        var completed = _rules.Completed(steps);
        foreach (var skipped in completed.Skip(steps.Count))
        {
            listener.OnStep(request, skipped);
        }

        var sidecarStates = await StopSidecarsAsync(sidecars).ConfigureAwait(false);

        // What the steps started and left running (a daemon, a setsid child) ends with the attempt,
        // as it would with its pod; each carries the attempt's marker in its environment.
        AttemptProcesses.Kill(request.TaskRunUid, request.RetryCount, processes);
        var results = ImmutableArray<RunResult>.Empty;
        try
        {
            results = _rules.TaskResults(ResultFiles.Read(attempt.Dirs.Results, attempt.Spec.Results.Select(r => r.Name)), completed);
        }
        catch (AttemptFailure failure) when (end is null)
        {
            end = new AttemptEnd(TaskRunPhase.Failed, failure.Message);
        }
        catch (AttemptFailure)
        {
            // The attempt already failed for an earlier reason, which is the one to report.
        }

        var outcome = AttemptRules.Outcome(end ?? AttemptEnd.Succeeded, start, _time.GetUtcNow(), completed, sidecarStates, results);
        if (outcome.Phase == TaskRunPhase.Succeeded)
        {
            // Nothing reads a succeeded attempt's directory again; a failed one's stays for inspection.
            spares?.Return(attempt.Dirs);
        }

        return outcome;
    }

    /// <summary>
    /// The request's finished steps, checked; empty when the attempt directory they ran in is
    /// gone, so that the attempt runs from its first step (and a log line of that step says why).
    /// </summary>
    private ImmutableArray<StepState> ResumableSteps()
    {
        var finished = _rules.FinishedSteps();
        var directory = AttemptDirectories.PathOf(options.Root, request.RunUid, request.TaskRunUid, request.RetryCount);
        if (finished.IsEmpty || Directory.Exists(directory))
        {
            return finished;
        }

        Log(_rules.StepContainer(0), null)(
            $"mship: attempt directory {directory} is missing; running the attempt again from its first step instead of resuming after \"{finished[^1].Container}\"");
        return [];
    }

    /// <summary>Runs step <paramref name="index"/>; its final state, and the attempt's end when the step ends it.</summary>
    private async Task<(StepState State, AttemptEnd? End)> RunStepAsync(PreparedAttempt attempt, StepLauncher launcher, int index, IReadOnlyList<StepState> earlier)
    {
        var container = _rules.StepContainer(index);
        var stepDir = Path.Combine(attempt.Dirs.Steps, container);
        if (attempt.KeepsStepFolders)
        {
            Directory.CreateDirectory(Path.Combine(stepDir, "results"));

            // Tekton's /tekton/steps holds both step-NAME and INDEX, a link to it.
            File.CreateSymbolicLink(Path.Combine(attempt.Dirs.Steps, index.ToString(CultureInfo.InvariantCulture)), container);
        }

        var step = AttemptVariables.ApplyStep(attempt.Spec.Steps[index], container, attempt.Paths, AttemptRules.StepResultScope(earlier));
        var stepTimeout = _rules.StepTimeout(index);
        var state = _rules.Started(index, _time.GetUtcNow(), step.Image);
        using var stepTimer = stepTimeout is { } st ? new CancellationTokenSource(st, _time) : new CancellationTokenSource();
        using var stepStop = CancellationTokenSource.CreateLinkedTokenSource(stop, stepTimer.Token);

        listener.OnStep(request, state);
        var (exitCode, stopped) = await RunProcessAsync(launcher, step, container, stepStop.Token).ConfigureAwait(false);
        var finishedAt = _time.GetUtcNow();
        var why = !stopped ? StepStop.None
            : stop.IsCancellationRequested ? (cancelled.IsCancellationRequested ? StepStop.Cancelled : StepStop.AttemptTimeout)
            : StepStop.StepTimeout;
        var verdict = _rules.Judge(index, exitCode, why);
        var end = verdict.EndsAttempt;
        var results = ImmutableArray<RunResult>.Empty;
        if (attempt.KeepsStepFolders)
        {
            File.WriteAllText(Path.Combine(stepDir, "exitCode"), exitCode.ToString(CultureInfo.InvariantCulture));
            try
            {
                results = _rules.StepResults(index, ResultFiles.Read(Path.Combine(stepDir, "results"), step.Results.Select(r => r.Name)));
            }
            catch (AttemptFailure failure)
            {
                end ??= new AttemptEnd(TaskRunPhase.Failed, failure.Message);
            }
        }

        state = AttemptRules.Ended(state, exitCode, verdict.TerminationReason, finishedAt, results);
        listener.OnStep(request, state);
        return (state, end);
    }

    private async Task<(int ExitCode, bool Stopped)> RunProcessAsync(StepLauncher launcher, Step step, string container, CancellationToken token)
    {
        var mountPoints = new List<string>();
        var launch = launcher.Launch(step, container, step.Command, useScript: true, mountPoints);
        try
        {
            using var stdoutFile = launcher.OpenOutput(step.StdoutConfig, container);
            using var stderrFile = launcher.OpenOutput(step.StderrConfig, container);
            // Without stdout/stderr files the two streams share one pipe, as a container log does.
            using var process = stdoutFile is null && stderrFile is null
                ? ChildProcess.Start(launch, Log(container, null))
                : ChildProcess.Start(launch, Log(container, stdoutFile), Log(container, stderrFile));
            return await process.WaitAsync(request.GracePeriod, _time, token).ConfigureAwait(false);
        }
        finally
        {
            StepLauncher.RemoveMountPoints(mountPoints);
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

    private async Task WaitReadyAsync(StepLauncher launcher, Step sidecar, string name, string container, ChildProcess process)
    {
        if (sidecar.ReadinessCommand.IsDefaultOrEmpty)
        {
            await WaitAsleepAsync(process).ConfigureAwait(false);
            return;
        }

        var deadline = _time.GetUtcNow() + options.SidecarReadinessTimeout;
        var probe = launcher.Launch(sidecar with { Script = null, StdoutConfig = null, StderrConfig = null }, container, sidecar.ReadinessCommand, useScript: false);
        while (true)
        {
            if (process.HasExited)
            {
                throw new AttemptFailure($"sidecar \"{name}\" exited before it became ready");
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
                throw new AttemptFailure($"sidecar \"{name}\" did not become ready within {GoDuration.Format(options.SidecarReadinessTimeout)}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), _time, stop).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A sidecar without a readiness probe is ready once its start-up is done: when it and its
    /// children have slept in two samples in a row (see <see cref="ProcessTree"/>), or has ended,
    /// or after <see cref="LocalExecutorOptions.SidecarStartLimit"/> — one that never sleeps is
    /// ready when it runs, as Kubernetes counts it.
    /// </summary>
    private async Task WaitAsleepAsync(ChildProcess process)
    {
        var deadline = _time.GetUtcNow() + options.SidecarStartLimit;
        var asleep = 0;
        while (!process.HasExited && asleep < 2 && _time.GetUtcNow() < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), _time, stop).ConfigureAwait(false);
            asleep = ProcessTree.Sleeps(process.Id) ? asleep + 1 : 0;
        }
    }

    private async Task<List<StepState>> StopSidecarsAsync(List<(StepState State, ChildProcess Process)> sidecars)
    {
        var states = new List<StepState>();
        foreach (var (started, process) in sidecars)
        {
            using (process)
            {
                using var now = new CancellationTokenSource();
                await now.CancelAsync().ConfigureAwait(false);
                var (code, _) = await process.WaitAsync(request.GracePeriod, _time, now.Token).ConfigureAwait(false);
                var state = AttemptRules.SidecarStopped(started, code, _time.GetUtcNow());
                listener.OnStep(request, state);
                states.Add(state);
            }
        }

        return states;
    }
}
