using System.Collections.Immutable;
using Mothership.Engine.Execution;
using Mothership.Engine.Resolution;
using Mothership.Engine.Reuse;
using Mothership.Engine.Scheduling;
using Mothership.Model.Diagnostics;
using Mothership.Model.Limits;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Tests.Scheduling;

/// <summary>
/// Drives the pure scheduler without processes: tests say which attempts end how, and read the
/// decisions back. Time is a value passed in, so timeouts are tested by moving it.
/// </summary>
internal sealed class SchedulerHarness
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public SchedulerHarness(string yaml, string? runStatus = null)
    {
        var bag = new DiagnosticBag();
        var resources = new ResourceSet { All = [.. ResourceLoader.Load("test.yaml", yaml, bag)] };
        Assert.False(bag.HasErrors, string.Join("\n", bag.Items));
        var run = resources.PipelineRuns.Single();
        if (runStatus is not null)
        {
            run = run with { Spec = run.Spec with { Status = runStatus } };
        }

        var spec = run.Spec.PipelineSpec ?? resources.FindPipeline(run.Spec.PipelineRef!.Name!)!.Spec;
        State = PipelineRunScheduler.Start(run, spec, PipelineParams.Resolve(spec, run.Spec.Params, "test"), resources, "uid-1", T0);
        Now = T0;
    }

    public PipelineRunState State { get; private set; }

    /// <summary>Holds the run to other limits than the defaults, as a host may.</summary>
    public SchedulerHarness WithLimits(InputLimits limits)
    {
        State = State with { Limits = limits };
        return this;
    }

    /// <summary>Makes the run a rerun from the failure that reuses <paramref name="reuse"/> (<see cref="TaskReuse"/>).</summary>
    public SchedulerHarness WithReuse(ImmutableDictionary<string, ReusedTask> reuse)
    {
        State = State with { Reuse = reuse };
        return this;
    }

    public DateTimeOffset Now { get; set; }

    /// <summary>Attempts started and not yet finished.</summary>
    public List<StartAttempt> Running { get; } = [];

    public List<CancelAttempt> Cancelled { get; } = [];

    /// <summary>Runs the scheduler once and records its actions.</summary>
    public SchedulerHarness Step()
    {
        var decision = PipelineRunScheduler.Next(State, Now);
        State = decision.State;
        Running.AddRange(decision.Actions.OfType<StartAttempt>());
        Cancelled.AddRange(decision.Actions.OfType<CancelAttempt>());
        return this;
    }

    /// <summary>Sets Tekton's spec.status on the running run and schedules again.</summary>
    public SchedulerHarness RequestCancel(string request)
    {
        State = PipelineRunScheduler.RequestCancel(State, request);
        return Step();
    }

    public IEnumerable<string> RunningTasks => Running.Select(r => r.PipelineTask).Distinct();

    /// <summary>Ends a running attempt of <paramref name="task"/> and schedules again.</summary>
    public SchedulerHarness Finish(string task, TaskRunPhase phase, int child = 0, params (string Name, string Value)[] results)
    {
        var attempt = Running.First(r => r.PipelineTask == task && r.ChildIndex == child);
        Running.Remove(attempt);
        var outcome = new TaskRunOutcome
        {
            Phase = phase,
            Message = phase == TaskRunPhase.Succeeded ? "" : $"\"step-x\" exited with code 1",
            StartTime = Now,
            CompletionTime = Now,
            Results = [.. results.Select(r => new RunResult(r.Name, ParamValue.Of(r.Value)))],
        };
        State = PipelineRunScheduler.Record(State, task, child, outcome);
        return Step();
    }

    public SchedulerHarness Succeed(string task, params (string Name, string Value)[] results) => Finish(task, TaskRunPhase.Succeeded, 0, results);

    public SchedulerHarness Fail(string task) => Finish(task, TaskRunPhase.Failed);

    public PipelineTaskState Task(string name) => State.Tasks[name];

    public string? SkipReason(string name) => State.Tasks[name].Skip?.Reason;

    public ImmutableArray<string> Order => State.Graph.Order;
}
