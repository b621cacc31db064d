using System.Diagnostics;
using System.Globalization;
using Mothership.Engine.Execution;
using Mothership.Model.Tekton;

namespace Mothership.IntegrationTests.Executors;

/// <summary>Resuming an attempt after a crash (<see cref="TaskRunRequest.FinishedSteps"/>) and killing its orphans.</summary>
public sealed class AttemptResumeTests : IDisposable
{
    private readonly ExecutorFixture _fx = new();
    private readonly string _out;

    public AttemptResumeTests()
    {
        _out = Path.Combine(Path.GetDirectoryName(_fx.Root)!, "out");
        Directory.CreateDirectory(_out);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _fx.Dispose();

    /// <summary>
    /// Each step appends its name to <c>out/ran</c>; s3 blocks until <c>out/go</c> exists, so a
    /// first run can be stopped while s3 runs, as a crash would stop it.
    /// </summary>
    private const string ThreeSteps = """
        apiVersion: tekton.dev/v1
        kind: Task
        metadata: {name: t}
        spec:
          workspaces:
            - name: out
            - name: scratch
          results:
            - name: t
          steps:
            - name: s1
              results:
                - name: r
              script: |
                echo s1 >> $(workspaces.out.path)/ran
                echo -n one > $(step.results.r.path)
                echo -n from-s1 > $(results.t.path)
                echo made-by-s1 > $(workspaces.scratch.path)/f
            - name: s2
              script: echo s2 >> $(workspaces.out.path)/ran
            - name: s3
              script: |
                echo s3 >> $(workspaces.out.path)/ran
                until [ -f $(workspaces.out.path)/go ]; do sleep 0.05; done
                echo "r=$(steps.s1.results.r)"
                echo "t=`cat $(results.t.path)`"
                cat $(workspaces.scratch.path)/f
                echo "exit=`cat EXIT_CODE_PATH`"
        """;

    private TaskRunRequest Request(bool layout, string? uid = null) =>
        ExecutorFixture.Request(
            // The literal /tekton/ path puts the steps under bubblewrap, in Tekton's layout.
            ThreeSteps.Replace("EXIT_CODE_PATH", layout ? "/tekton/steps/step-s1/exitCode" : "$(steps.s1.exitCode.path)", StringComparison.Ordinal),
            uid: uid) with
        {
            Workspaces =
            [
                ExecutorFixture.Binding("out", new VolumeSource { HostPath = _out }),
                ExecutorFixture.Binding("scratch", new VolumeSource { EmptyDir = true }),
            ],
        };

    private string[] Ran() => File.Exists(Path.Combine(_out, "ran")) ? File.ReadAllLines(Path.Combine(_out, "ran")) : [];

    [Theory(Timeout = 60000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RunAsync_FirstStepsFinished_RunsOnlyTheRestInTheSameAttemptDirectory(bool layout)
    {
        var request = Request(layout);
        using var crash = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var first = _fx.Executor().RunAsync(request, _fx.Listener, crash.Token);
        await PollAsync(() => Ran().Contains("s3"), "s3 to start");
        await crash.CancelAsync();
        var stopped = await first;
        Assert.Equal(TaskRunPhase.Cancelled, stopped.Phase);
        Assert.Equal(["Completed", "Completed", "Cancelled"], stopped.Steps.Select(s => s.TerminationReason));

        File.WriteAllText(Path.Combine(_out, "go"), "");
        var listener = new RecordingListener();
        var finished = stopped.Steps[..2];
        var outcome = await _fx.Executor().RunAsync(request with { FinishedSteps = finished }, listener, Ct);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal(["s1", "s2", "s3", "s3"], Ran());
        Assert.Equal(["s1", "s2", "s3"], outcome.Steps.Select(s => s.Name));
        Assert.Equal(finished, outcome.Steps[..2]);
        Assert.Equal("Completed", outcome.Steps[2].TerminationReason);
        Assert.Equal(["r=one", "t=from-s1", "made-by-s1", "exit=0"], listener.LinesOf("step-s3"));
        Assert.Empty(listener.LinesOf("step-s1"));
        Assert.Equal([new RunResult("t", ParamValue.Of("from-s1"))], outcome.Results);
        Assert.Equal(finished[0].StartedAt, outcome.StartTime);

        // Replayed once each, unchanged, then s3 started and finished.
        Assert.Equal([finished[0], finished[1]], listener.Steps.Take(2));
        Assert.Equal(["s3", "s3"], listener.Steps.Skip(2).Select(s => s.Name));
    }

    [Fact(Timeout = 30000)]
    public async Task RunAsync_FinishedStepFailedWithoutOnErrorContinue_FailsAndSkipsTheRest()
    {
        File.WriteAllText(Path.Combine(_out, "go"), "");
        var request = Request(layout: false);
        var first = await _fx.Executor().RunAsync(request, _fx.Listener, Ct);
        Assert.Equal(TaskRunPhase.Succeeded, first.Phase);
        File.Delete(Path.Combine(_out, "ran"));

        var failed = first.Steps[0] with { ExitCode = 4, Reason = "Error", TerminationReason = "Error" };
        var outcome = await _fx.Executor().RunAsync(request with { FinishedSteps = [failed] }, new RecordingListener(), Ct);

        Assert.Equal(TaskRunPhase.Failed, outcome.Phase);
        Assert.Equal("\"step-s1\" exited with code 4", outcome.Message);
        Assert.Equal(["Error", "Skipped", "Skipped"], outcome.Steps.Select(s => s.TerminationReason));
        Assert.Empty(Ran());
    }

    [Fact(Timeout = 30000)]
    public async Task RunAsync_AttemptDirectoryMissing_RunsFromFirstStepAndSaysSo()
    {
        File.WriteAllText(Path.Combine(_out, "go"), "");
        var started = DateTimeOffset.UnixEpoch;
        StepState Done(string name) => new()
        {
            Name = name,
            Container = "step-" + name,
            StartedAt = started,
            FinishedAt = started,
            ExitCode = 0,
            Reason = "Completed",
            TerminationReason = "Completed",
            Results = name == "s1" ? [new RunResult("r", ParamValue.Of("stale"))] : [],
        };

        var outcome = await _fx.Executor().RunAsync(Request(layout: false) with { FinishedSteps = [Done("s1"), Done("s2")] }, _fx.Listener, Ct);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal(["s1", "s2", "s3"], Ran());
        Assert.All(outcome.Steps, s => Assert.NotEqual(started, s.StartedAt));
        Assert.Contains("r=one", _fx.Listener.LinesOf("step-s3"));
        var note = Assert.Single(_fx.Listener.LinesOf("step-s1"));
        Assert.StartsWith("mship: attempt directory ", note, StringComparison.Ordinal);
        Assert.Contains("is missing; running the attempt again from its first step", note, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30000)]
    public async Task RunAsync_FinishedStepsDoNotMatchTheTask_Throws()
    {
        var wrong = new StepState { Name = "s2", Container = "step-s2", TerminationReason = "Completed" };

        await Assert.ThrowsAsync<ArgumentException>(() => _fx.Executor().RunAsync(Request(layout: false) with { FinishedSteps = [wrong] }, _fx.Listener, Ct));
    }

    [Fact(Timeout = 30000)]
    public async Task CleanUpOrphans_StepLeftADetachedProcess_KillsEveryProcessOfTheAttemptOnly()
    {
        var request = ExecutorFixture.Request("""
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: t}
            spec:
              workspaces:
                - name: out
              steps:
                - name: detach
                  script: |
                    setsid sleep 300 >/dev/null 2>&1 &
                    echo $! > $(workspaces.out.path)/orphan
                    echo $$ > $(workspaces.out.path)/step
                    env | grep -c '^MOTHERSHIP_ATTEMPT=' > $(workspaces.out.path)/markers.tmp
                    mv $(workspaces.out.path)/markers.tmp $(workspaces.out.path)/markers
                    sleep 300
            """) with
        {
            Workspaces = [ExecutorFixture.Binding("out", new VolumeSource { HostPath = _out })],
        };
        var executor = _fx.Executor();
        var run = executor.RunAsync(request, _fx.Listener, Ct);
        var orphanFile = Path.Combine(_out, "orphan");
        var stepFile = Path.Combine(_out, "step");
        await PollAsync(() => File.Exists(Path.Combine(_out, "markers")), "the step to write its pids");

        // Same user, no marker; and the marker of another attempt of the same TaskRun.
        using var unrelated = Sleep(null);
        using var otherAttempt = Sleep($"{request.TaskRunUid}/1");
        try
        {
            var orphan = int.Parse(File.ReadAllText(orphanFile), CultureInfo.InvariantCulture);
            var step = int.Parse(File.ReadAllText(stepFile), CultureInfo.InvariantCulture);
            Assert.True(IsAlive(orphan));

            var killed = executor.CleanUpOrphans(request.TaskRunUid, request.RetryCount);

            // The step's shell at least: once it dies the attempt ends, and the attempt's own end
            // may kill the detached sleep before this scan reaches it. Both must be gone.
            Assert.True(killed >= 1, $"killed {killed}");
            await PollAsync(() => !IsAlive(orphan) && !IsAlive(step), "the attempt's processes to die");
            Assert.True(IsAlive(unrelated.Id));
            Assert.True(IsAlive(otherAttempt.Id));
            Assert.Equal("1", File.ReadAllText(Path.Combine(_out, "markers")).Trim());

            var outcome = await run;
            Assert.Equal(TaskRunPhase.Failed, outcome.Phase);
            Assert.Equal(137, outcome.Steps.Single().ExitCode);
            Assert.Equal(0, executor.CleanUpOrphans(request.TaskRunUid, request.RetryCount));
        }
        finally
        {
            unrelated.Kill();
            otherAttempt.Kill();
            await unrelated.WaitForExitAsync(Ct);
            await otherAttempt.WaitForExitAsync(Ct);
        }
    }

    private static Process Sleep(string? marker)
    {
        var info = new ProcessStartInfo("sleep", "300");
        if (marker is not null)
        {
            info.Environment["MOTHERSHIP_ATTEMPT"] = marker;
        }

        return Process.Start(info)!;
    }

    /// <summary>Running, and not a zombie waiting for a parent that never reaps it.</summary>
    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static async Task PollAsync(Func<bool> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(20), $"timed out waiting for {what}");
            await Task.Delay(20, Ct);
        }
    }
}
