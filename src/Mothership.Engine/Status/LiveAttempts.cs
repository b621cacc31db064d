using System.Collections.Immutable;
using Mothership.Engine.Execution;
using Mothership.Model.Tekton.Vocabulary;

namespace Mothership.Engine.Status;

/// <summary>
/// The steps of the attempts executing now, as their executors report them (thread-safe): the
/// scheduler's state learns of an attempt's steps only when it ends, while a run object shown
/// during the run should show each step running or done.
/// </summary>
public sealed class LiveAttempts
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (int Retry, ImmutableArray<string> Steps, Dictionary<string, StepState> States)> _attempts = new(StringComparer.Ordinal);

    /// <summary>Records a step's (or sidecar's) newest state; a new retry of a TaskRun replaces the previous attempt's.</summary>
    public void OnStep(TaskRunRequest request, StepState step)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(step);
        lock (_lock)
        {
            if (!_attempts.TryGetValue(request.TaskRunName, out var live) || live.Retry != request.RetryCount)
            {
                _attempts[request.TaskRunName] = live = (request.RetryCount, [.. ContainerNames.NamesOf(request.Spec.Steps)], new Dictionary<string, StepState>(StringComparer.Ordinal));
            }

            live.States[step.Container] = step;
        }
    }

    /// <summary>The TaskRun's attempt has ended: its outcome has the steps from now on.</summary>
    public void Ended(string taskRun)
    {
        lock (_lock)
        {
            _attempts.Remove(taskRun);
        }
    }

    /// <summary>The steps of the TaskRun's running attempt in order, a step not started yet as waiting; null when none runs.</summary>
    public ImmutableArray<StepState>? Steps(string taskRun)
    {
        lock (_lock)
        {
            if (!_attempts.TryGetValue(taskRun, out var live))
            {
                return null;
            }

            return [.. live.Steps.Select(name => live.States.GetValueOrDefault(ContainerNames.Step(name)) ?? new StepState { Name = name, Container = ContainerNames.Step(name) })];
        }
    }
}
