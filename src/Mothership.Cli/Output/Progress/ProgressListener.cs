using System.Text.Json;
using Mothership.Engine.Execution;
using Mothership.Engine.Journal;
using Mothership.Engine.Running;
using Mothership.Engine.Scheduling;
using Mothership.Engine.Status;
using Mothership.Server.Api;

namespace Mothership.Cli.Output.Progress;

/// <summary>
/// The progress view's ear on a local run (<c>mship deploy</c>, through <c>RunCommand</c>): keeps the
/// engine's latest state and each task's last log lines; <see cref="Refresh"/> turns the state into a
/// <see cref="ProgressSnapshot"/> the way the server does for its API (the run object and its graph),
/// so the local and the remote view are one. Logs are not printed: the view shows their tails.
/// </summary>
internal sealed class ProgressListener(TimeProvider time) : IRunListener
{
    private PipelineRunState? _state;
    private PipelineRunState? _shown;
    private RunGraphShape? _shape;

    public ProgressModel Model { get; } = new(time);

    public LogTails Tails { get; } = new();

    public void OnLog(TaskRunRequest request, string container, string line)
    {
        var task = request.PipelineTaskName ?? request.TaskRunName;
        Tails.Add(task, LogPrefix.Of(task, container) + line);
    }

    public void OnStep(TaskRunRequest request, StepState step)
    {
    }

    public ValueTask OnDecisionAsync(PipelineRunState state, DecisionRecord record, CancellationToken cancellationToken)
    {
        // The engine's loop must not wait for drawing: keep the state, the view reads it on its own beat.
        Volatile.Write(ref _state, state);
        return ValueTask.CompletedTask;
    }

    /// <summary>Feeds the model the latest state (or <paramref name="final"/>, once the run has ended) when it changed.</summary>
    public void Refresh(PipelineRunState? final = null)
    {
        var state = final ?? Volatile.Read(ref _state);
        if (state is null || ReferenceEquals(state, _shown))
        {
            return;
        }

        _shown = state;
        if (_shape is null || !ReferenceEquals(_shape.Spec, state.Spec))
        {
            _shape = new RunGraphShape(state.Spec, state.Graph);
        }

        var run = RunObjectWriter.PipelineRun(state);
        using var document = JsonDocument.Parse(run.ToJsonString());
        Model.Update(ProgressSnapshot.From(run, RunGraph.Build(_shape, document.RootElement, time.GetUtcNow()).ToJsonObject()));
    }
}
