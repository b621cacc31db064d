using System.Collections.Immutable;
using Mothership.Model.Limits;
using Mothership.Model.Substitution;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Model.Validation;

namespace Mothership.Engine.Execution;

/// <summary>
/// Tekton's rules for one TaskRun attempt, written once for every executor: the names of its steps
/// and their containers, step timeouts, what an ended step means for the attempt, the states of
/// steps that never ran, results (typed, taken from step results, limited) and the outcome with
/// Tekton's messages. The local executor and the Kubernetes executor differ only in how they run
/// processes; everything they report goes through here.
/// </summary>
public sealed class AttemptRules
{
    private readonly ResultLimit _limit;

    public AttemptRules(TaskRunRequest request, ResultLimit? limit = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        Request = request;
        _limit = limit ?? ResultLimit.None;
        StepNames = [.. ContainerNames.NamesOf(request.Spec.Steps)];
        SidecarNames = [.. ContainerNames.NamesOf(request.Spec.Sidecars)];
    }

    public TaskRunRequest Request { get; }

    /// <summary>The steps' names, <c>unnamed-INDEX</c> for a step without one.</summary>
    public ImmutableArray<string> StepNames { get; }

    public ImmutableArray<string> SidecarNames { get; }

    public string StepContainer(int index) => ContainerNames.Step(StepNames[index]);

    public string SidecarContainer(int index) => ContainerNames.Sidecar(SidecarNames[index]);

    /// <summary>
    /// The step's own timeout (Go duration, after substitution); null for none or zero. An
    /// unreadable one is the user's mistake: <see cref="AttemptFailure"/>.
    /// </summary>
    public TimeSpan? StepTimeout(int index) => StepTimeout(Request.Spec.Steps[index], StepContainer(index));

    private static TimeSpan? StepTimeout(Step step, string container)
    {
        if (step.Timeout is not { } text)
        {
            return null;
        }

        if (!GoDuration.TryParse(text, out var limit))
        {
            throw new AttemptFailure($"\"{container}\": invalid timeout \"{text}\"");
        }

        if (limit > InputLimits.MaxTimeout)
        {
            // Validation refuses such a timeout as written; this one came from a variable.
            throw new AttemptFailure($"\"{container}\": timeout \"{text}\" is longer than {GoDuration.Format(InputLimits.MaxTimeout)}, the longest Mothership can wait");
        }

        return limit > TimeSpan.Zero ? limit : null;
    }

    /// <summary>
    /// Checks the paths of the request that name a place inside a volume once substituted: every
    /// workspace binding's and volume mount's <c>subPath</c>, by the rule validation applies to what
    /// is written (<see cref="WorkspacePathRules.SubPathProblem"/>). Validation skips a value with
    /// <c>$(…)</c>, so a param that turns into <c>..</c> or an absolute path is caught here, before
    /// either executor mounts anything: an <see cref="AttemptFailure"/> naming the workspace or mount.
    /// </summary>
    public void CheckPaths()
    {
        foreach (var binding in Request.Workspaces)
        {
            if (WorkspacePathRules.SubPathProblem(binding.SubPath) is { } problem)
            {
                throw new AttemptFailure($"workspace \"{binding.Name}\": {problem}");
            }
        }

        var containers = Request.Spec.Steps.Select((s, i) => (Step: s, Container: StepContainer(i)))
            .Concat(Request.Spec.Sidecars.Select((s, i) => (Step: s, Container: SidecarContainer(i))));
        foreach (var (step, container) in containers)
        {
            foreach (var mount in step.VolumeMounts)
            {
                if (WorkspacePathRules.SubPathProblem(mount.SubPath) is { } problem)
                {
                    throw new AttemptFailure($"\"{container}\": volumeMount \"{mount.Name}\": {problem}");
                }
            }
        }
    }

    private bool ContinuesOnError(int index) => string.Equals(Request.Spec.Steps[index].OnError, "continue", StringComparison.Ordinal);

    /// <summary>What the end of step <paramref name="index"/> means, from its exit code and what stopped it.</summary>
    public StepVerdict Judge(int index, int exitCode, StepStop stop) => stop switch
    {
        StepStop.Cancelled => new(StepTerminationReason.Cancelled, Interrupted(cancelled: true)),
        StepStop.AttemptTimeout => new(StepTerminationReason.TimeoutExceeded, Interrupted(cancelled: false)),
        StepStop.StepTimeout => new(StepTerminationReason.TimeoutExceeded,
            ContinuesOnError(index) ? null : new AttemptEnd(TaskRunPhase.Failed, AttemptMessages.StepTimedOut(StepContainer(index), StepTimeout(index) ?? TimeSpan.Zero))),
        _ when exitCode == 0 => new(StepTerminationReason.Completed, null),
        _ when ContinuesOnError(index) => new(StepTerminationReason.Continued, null),
        _ => new(StepTerminationReason.Error, new AttemptEnd(TaskRunPhase.Failed, AttemptMessages.StepFailed(StepContainer(index), exitCode))),
    };

    /// <summary>
    /// How a step that ended in an earlier incarnation (<see cref="TaskRunRequest.FinishedSteps"/>)
    /// ends the attempt: as <see cref="Judge"/> decided when it ran. Null when the attempt goes on.
    /// </summary>
    public AttemptEnd? EndOf(int index, StepState finished)
    {
        ArgumentNullException.ThrowIfNull(finished);
        var stop = finished.TerminationReason switch
        {
            StepTerminationReason.Cancelled => StepStop.Cancelled,
            StepTerminationReason.TimeoutExceeded => StepTimeout(index) is null ? StepStop.AttemptTimeout : StepStop.StepTimeout,
            _ => StepStop.None,
        };
        return Judge(index, finished.ExitCode ?? 0, stop).EndsAttempt;
    }

    /// <summary>The end of an attempt stopped from outside: cancelled, or at its timeout.</summary>
    public AttemptEnd Interrupted(bool cancelled) => cancelled
        ? new AttemptEnd(TaskRunPhase.Cancelled, AttemptMessages.Cancelled(Request.TaskRunName))
        : new AttemptEnd(TaskRunPhase.TimedOut, AttemptMessages.TimedOut(Request.TaskRunName, Request.Timeout));

    /// <summary>The termination reason of a step that was running when the attempt was stopped from outside.</summary>
    public static string InterruptedReason(bool cancelled) => cancelled ? StepTerminationReason.Cancelled : StepTerminationReason.TimeoutExceeded;

    /// <summary>A step that has started and not ended.</summary>
    public StepState Started(int index, DateTimeOffset at, string? image = null) => new()
    {
        Name = StepNames[index],
        Container = StepContainer(index),
        Image = image ?? Request.Spec.Steps[index].Image,
        StartedAt = at,
    };

    /// <summary>A step that ended: its exit code, Kubernetes' container reason for it, and the verdict's termination reason.</summary>
    public static StepState Ended(StepState started, int exitCode, string terminationReason, DateTimeOffset at, ImmutableArray<RunResult> results = default)
    {
        ArgumentNullException.ThrowIfNull(started);
        return started with
        {
            FinishedAt = at,
            ExitCode = exitCode,
            Reason = StepTerminationReason.ContainerReason(exitCode),
            TerminationReason = terminationReason,
            Results = results.IsDefault ? [] : results,
        };
    }

    /// <summary>A step that never ran: an earlier one ended the attempt, or the attempt ended first.</summary>
    public StepState Skipped(int index) => new()
    {
        Name = StepNames[index],
        Container = StepContainer(index),
        Image = Request.Spec.Steps[index].Image,
        TerminationReason = StepTerminationReason.Skipped,
    };

    /// <summary>
    /// The steps of an ended attempt, in order: those given, a step that had started and not ended
    /// (the attempt was stopped while it ran) with <paramref name="interruptedReason"/>, and every
    /// other one Skipped.
    /// </summary>
    public ImmutableArray<StepState> Completed(IReadOnlyList<StepState> steps, string? interruptedReason = null)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var result = ImmutableArray.CreateBuilder<StepState>(StepNames.Length);
        for (var i = 0; i < StepNames.Length; i++)
        {
            var state = i < steps.Count ? steps[i] : null;
            result.Add(state switch
            {
                null => Skipped(i),
                { TerminationReason: not null } => state,
                { StartedAt: not null } when interruptedReason is not null => state with { TerminationReason = interruptedReason },
                _ => Skipped(i) with { Image = state.Image ?? Skipped(i).Image },
            });
        }

        return result.MoveToImmutable();
    }

    /// <summary>A sidecar the attempt stopped at its end: Completed, whatever signal ended it.</summary>
    public static StepState SidecarStopped(StepState sidecar, int exitCode, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(sidecar);
        return sidecar with
        {
            FinishedAt = sidecar.FinishedAt ?? at,
            ExitCode = exitCode,
            Reason = StepTerminationReason.ContainerReason(exitCode),
            TerminationReason = StepTerminationReason.Completed,
        };
    }

    /// <summary>
    /// <see cref="TaskRunRequest.FinishedSteps"/>, checked: the first steps of the spec, in order,
    /// each ended; <see cref="ArgumentException"/> otherwise (a caller's bug, not a user's mistake).
    /// </summary>
    public ImmutableArray<StepState> FinishedSteps()
    {
        var finished = Request.FinishedSteps.IsDefault ? [] : Request.FinishedSteps;
        if (finished.Length > StepNames.Length)
        {
            throw new ArgumentException($"{finished.Length} finished steps given, but the task has {StepNames.Length}", nameof(Request));
        }

        for (var i = 0; i < finished.Length; i++)
        {
            if (finished[i].Name != StepNames[i] || !StepTerminationReason.IsFinal(finished[i].TerminationReason))
            {
                throw new ArgumentException(
                    $"finished step {i} is \"{finished[i].Name}\" ({finished[i].TerminationReason ?? "running"}), but the task's step {i} is \"{StepNames[i]}\", and it must have ended",
                    nameof(Request));
            }
        }

        return finished;
    }

    /// <summary>
    /// The results step <paramref name="index"/> wrote (name and text), typed by its declarations;
    /// undeclared ones are ignored, as Tekton's entrypoint reads only declared results. A value that
    /// does not match its declared type is an <see cref="AttemptFailure"/>.
    /// </summary>
    public ImmutableArray<RunResult> StepResults(int index, IReadOnlyDictionary<string, string> written)
    {
        ArgumentNullException.ThrowIfNull(written);
        var results = ImmutableArray.CreateBuilder<RunResult>();
        foreach (var spec in Request.Spec.Steps[index].Results)
        {
            if (written.TryGetValue(spec.Name, out var text))
            {
                results.Add(new RunResult(spec.Name, Typed(spec, text, StepContainer(index))));
            }
        }

        return results.ToImmutable();
    }

    /// <summary>The step results of <paramref name="steps"/> as the variables later steps and task results read (<c>steps.s.results.r</c>).</summary>
    public static VariableScope StepResultScope(IEnumerable<StepState> steps)
    {
        var scope = new VariableScope();
        foreach (var step in steps)
        {
            foreach (var r in step.Results)
            {
                scope.Set(AttemptVariables.StepResult(step.Name, r.Name), r.Value);
            }
        }

        return scope;
    }

    /// <summary>
    /// The task's results: those the steps wrote (<paramref name="written"/>, by name), else the
    /// declared <c>value</c> taken from step results (<c>value: $(steps.s.results.r)</c>), typed by
    /// their declarations in declaration order and within the executor's <see cref="ResultLimit"/>.
    /// A wrong type or too much is an <see cref="AttemptFailure"/>.
    /// </summary>
    public ImmutableArray<RunResult> TaskResults(IReadOnlyDictionary<string, string> written, IEnumerable<StepState> steps)
    {
        ArgumentNullException.ThrowIfNull(written);
        var fromSteps = StepResultScope(steps);
        var texts = new List<(ResultSpec Spec, string Text)>();
        foreach (var spec in Request.Spec.Results)
        {
            if (written.TryGetValue(spec.Name, out var text))
            {
                texts.Add((spec, text));
            }
            else if (spec.Value is { } reference)
            {
                var value = fromSteps.ApplyValue(reference);
                if (!VariableScope.References(value.ToString()).Any())
                {
                    texts.Add((spec, value.Type == ParamType.String ? value.StringValue! : value.ToString()));
                }
            }
        }

        var results = texts.Select(t => new RunResult(t.Spec.Name, Typed(t.Spec, t.Text, "task"))).ToImmutableArray();
        if (_limit.Check(texts.Select(t => (t.Spec.Name, t.Text))) is { } tooLarge)
        {
            throw new AttemptFailure(tooLarge);
        }

        return results;
    }

    private static ParamValue Typed(ResultSpec spec, string text, string owner) =>
        ResultValues.Parse(spec, text, owner, out var error) ?? throw new AttemptFailure(error!);

    /// <summary>The attempt's outcome.</summary>
    public static TaskRunOutcome Outcome(AttemptEnd end, DateTimeOffset start, DateTimeOffset completion, IEnumerable<StepState> steps,
        IEnumerable<StepState>? sidecars = null, ImmutableArray<RunResult> results = default)
    {
        ArgumentNullException.ThrowIfNull(end);
        return new TaskRunOutcome
        {
            Phase = end.Phase,
            Message = end.Message,
            StartTime = start,
            CompletionTime = completion,
            Steps = [.. steps],
            Sidecars = [.. sidecars ?? []],
            Results = results.IsDefault ? [] : results,
        };
    }
}
