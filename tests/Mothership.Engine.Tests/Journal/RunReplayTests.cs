using System.Collections.Concurrent;
using System.Collections.Immutable;
using Mothership.Engine.Execution;
using Mothership.Engine.Journal;
using Mothership.Engine.Resolution;
using Mothership.Engine.Running;
using Mothership.Engine.Scheduling;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Tests.Journal;

public sealed class RunReplayTests
{
    private const string Yaml = """
        apiVersion: tekton.dev/v1
        kind: PipelineRun
        metadata: {name: replay}
        spec:
          pipelineSpec:
            tasks:
              - name: a
                taskSpec:
                  results: [{name: out}]
                  steps: [{name: s, image: x, script: "true"}]
              - name: b
                params: [{name: v, value: $(tasks.a.results.out)}]
                taskSpec:
                  params: [{name: v}]
                  steps: [{name: s, image: x, script: "true"}]
              - name: c
                runAfter: [b]
                retries: 1
                taskSpec:
                  steps: [{name: s, image: x, script: "true"}]
              - name: d
                matrix:
                  params: [{name: n, value: ["1", "2", "3"]}]
                taskSpec:
                  params: [{name: n}]
                  steps: [{name: s, image: x, script: "true"}]
            finally:
              - name: f
                params: [{name: st, value: $(tasks.c.status)}]
                taskSpec:
                  params: [{name: st}]
                  steps: [{name: s, image: x, script: "true"}]
        """;

    [Fact(Timeout = 30000)]
    public async Task Replay_FullJournal_ReproducesTheFinalState()
    {
        var executor = new ScriptedExecutor();
        var journal = new RecordingListener();
        var final = await new PipelineRunDriver(executor, journal, Options()).RunAsync(Start(Now()), TestContext.Current.CancellationToken);

        var replay = RunReplay.Replay(Start, journal.Records())!;

        Assert.Equal(final.Completion, replay.State.Completion);
        Assert.Empty(replay.InFlight);
        Assert.Equal(final.Tasks.Values.Select(t => (t.Name, t.Phase, t.Runs.Sum(r => r.Attempts.Length))).OrderBy(x => x.Name),
            replay.State.Tasks.Values.Select(t => (t.Name, t.Phase, t.Runs.Sum(r => r.Attempts.Length))).OrderBy(x => x.Name));
        Assert.Equal("Succeeded", final.Completion!.Reason);
    }

    [Theory(Timeout = 30000)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public async Task Resume_AfterCrash_RunsOnlyWhatHadNotEnded(int recordsBeforeCrash)
    {
        var journal = new RecordingListener();
        var first = new ScriptedExecutor();
        await new PipelineRunDriver(first, journal, Options()).RunAsync(Start(Now()), TestContext.Current.CancellationToken);
        var uninterrupted = journal.Records();

        // The crash: only the first records reached the store.
        var survived = uninterrupted.Take(recordsBeforeCrash).ToList();
        var ended = survived.OfType<DecisionRecord>().SelectMany(d => d.Events).OfType<AttemptEnded>()
            .CountBy(a => (a.PipelineTask, a.ChildIndex)).ToDictionary();
        int Ended(string task, int child) => ended.GetValueOrDefault((task, child));
        var replay = RunReplay.Replay(Start, survived)!;
        Assert.All(replay.InFlight, a => Assert.Equal(Ended(a.PipelineTask, a.ChildIndex), a.Request.RetryCount));

        var second = new ScriptedExecutor();
        var resumedJournal = new RecordingListener();
        var final = await new PipelineRunDriver(second, resumedJournal, Options()).ResumeAsync(replay, a => a, TestContext.Current.CancellationToken);

        Assert.Equal("Succeeded", final.Completion!.Reason);
        // No attempt that ended before the crash runs again; each one runs exactly once in all.
        Assert.All(second.Started, s => Assert.True(s.Retry >= Ended(s.Task, s.Child), $"{s} ran again"));
        Assert.Equal(first.Started.Order(), first.Started.Where(s => s.Retry < Ended(s.Task, s.Child)).Concat(second.Started).Order());

        // The resumed journal continues the old one: replaying both gives the final state.
        var whole = RunReplay.Replay(Start, [.. survived, .. resumedJournal.Records()])!;
        Assert.Equal(final.Completion, whole.State.Completion);
    }

    [Fact]
    public void Codec_Outcome_RoundTripsValuesByteForByte()
    {
        var now = Now();
        var outcome = new TaskRunOutcome
        {
            Phase = TaskRunPhase.Failed,
            Message = "\"step-s\" exited with code 1",
            StartTime = now,
            CompletionTime = now.AddTicks(1234567),
            Steps = [new StepState { Name = "s", Container = "step-s", ExitCode = 1, Reason = "Error", TerminationReason = "Error", StartedAt = now, FinishedAt = now, Results = [new RunResult("r", ParamValue.Of("x\n"))] }],
            Results =
            [
                new RunResult("s", ParamValue.Of("with trailing newline\n")),
                new RunResult("a", ParamValue.Of(["1", "two", ""])),
                new RunResult("o", ParamValue.Of([KeyValuePair.Create("k", "v"), KeyValuePair.Create("empty", "")])),
            ],
        };
        var record = new DecisionRecord(now, [new AttemptEnded("t", 2, outcome), new CancelRequested("StoppedRunFinally")]);

        var back = (DecisionRecord)JournalCodec.Deserialize(JournalCodec.Serialize(record));

        Assert.Equal(now, back.Now);
        var ended = Assert.IsType<AttemptEnded>(back.Events[0]);
        Assert.Equal(outcome.Results, ended.Outcome.Results);
        Assert.Equal(outcome.Steps[0] with { Results = [] }, ended.Outcome.Steps[0] with { Results = [] });
        Assert.Equal(outcome.Steps[0].Results, ended.Outcome.Steps[0].Results);
        Assert.Equal(outcome.CompletionTime, ended.Outcome.CompletionTime);
        Assert.Equal(new CancelRequested("StoppedRunFinally"), back.Events[1]);
    }

    [Fact]
    public void Codec_DamagedEntry_ThrowsFormatException() =>
        Assert.Throws<FormatException>(() => JournalCodec.Deserialize("""{"now":"2026-01-01T00:00:00.0000000+00:00","events":[{"type":"bogus"}]}"""));

    private static DateTimeOffset Now() => new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static RunDriverOptions Options() => new() { Parallelism = 2, Time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Now()) };

    private static PipelineRunState Start(DateTimeOffset now)
    {
        var bag = new DiagnosticBag();
        var resources = new ResourceSet { All = [.. ResourceLoader.Load("replay.yaml", Yaml, bag)] };
        var run = resources.PipelineRuns.Single();
        var spec = run.Spec.PipelineSpec!;
        return PipelineRunScheduler.Start(run, spec, PipelineParams.Resolve(spec, run.Spec.Params, "replay"), resources, "uid-replay", now);
    }

    /// <summary>Serializes every record as a store would, and reads them back.</summary>
    private sealed class RecordingListener : IRunListener
    {
        private readonly ConcurrentQueue<string> _records = new();

        public IReadOnlyList<JournalRecord> Records() => [.. _records.Select(JournalCodec.Deserialize)];

        public ValueTask OnDecisionAsync(PipelineRunState state, DecisionRecord record, CancellationToken cancellationToken)
        {
            _records.Enqueue(JournalCodec.Serialize(record));
            return ValueTask.CompletedTask;
        }

        public void OnLog(TaskRunRequest request, string container, string line)
        {
        }

        public void OnStep(TaskRunRequest request, StepState step)
        {
        }
    }

    /// <summary>Succeeds every attempt (task a writes its result; c fails its first attempt) without processes.</summary>
    private sealed class ScriptedExecutor : ITaskExecutor
    {
        public ConcurrentQueue<(string Task, int Child, int Retry)> Started { get; } = new();

        public async Task<TaskRunOutcome> RunAsync(TaskRunRequest request, ITaskRunListener listener, CancellationToken cancellationToken)
        {
            var child = request.TaskRunName.Length > 0 && char.IsDigit(request.TaskRunName[^1]) && request.PipelineTaskName == "d"
                ? int.Parse(request.TaskRunName[(request.TaskRunName.LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture)
                : 0;
            Started.Enqueue((request.PipelineTaskName!, child, request.RetryCount));
            await Task.Yield();
            var now = Now();
            var failed = request.PipelineTaskName == "c" && request.RetryCount == 0;
            return new TaskRunOutcome
            {
                Phase = failed ? TaskRunPhase.Failed : TaskRunPhase.Succeeded,
                StartTime = now,
                CompletionTime = now,
                Results = request.PipelineTaskName == "a" ? [new RunResult("out", ParamValue.Of("value\n"))] : ImmutableArray<RunResult>.Empty,
            };
        }
    }
}
