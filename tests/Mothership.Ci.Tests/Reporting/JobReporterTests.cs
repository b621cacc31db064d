using Microsoft.Extensions.Time.Testing;
using Mothership.Ci.Forge;
using Mothership.Ci.Reporting;
using Mothership.Store;
using Mothership.Testing.GitHub;

namespace Mothership.Ci.Tests.Reporting;

public sealed class JobReporterTests : IAsyncLifetime
{
    private const string Sha = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero));
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mship-report-");
    private FakeGitHub _github = null!;
    private FakeRepository _repo = null!;
    private IRunStore _store = null!;
    private JobReporter _reporter = null!;
    private int _pull;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly JobReporterOptions Options = new() { PublicUrl = new Uri("https://ci.example.com/") };

    public async ValueTask InitializeAsync()
    {
        _github = await FakeGitHub.StartAsync(new FakeGitHubOptions { Token = "t", Time = _time }, Ct);
        _repo = _github.AddRepository("octo", "hello");
        _pull = _repo.AddPullRequest("alice", Sha).Number;
        _store = RunStoreFactory.Open("sqlite:" + Path.Combine(_dir.FullName, "store.db"), _time);
        await _store.MigrateAsync(Ct);
        var forge = GitHubForge.WithToken(new GitHubForgeOptions { ApiUrl = _github.BaseUri }, "t", _time);
        _reporter = new JobReporter(_store, forge, Options, _time);
    }

    public async ValueTask DisposeAsync()
    {
        Assert.Empty(_github.Errors);
        await _github.DisposeAsync();
        await _store.DisposeAsync();
        _dir.Delete(recursive: true);
    }

    private async Task<string> StartAsync(string job, bool optional = false)
    {
        var uid = "uid-" + job;
        await _store.CreateRunAsync(new RunRecord
        {
            Uid = uid, Kind = "TaskRun", Name = job + "-run", Phase = RunPhase.Queued, Status = "Unknown", CreatedAt = _time.GetUtcNow(),
            Manifest = "kind: TaskRun", CreatedBy = "ci",
        }, "ci", Ct);
        await _store.AddJobResultAsync(new JobResult
        {
            Uid = uid, RunKind = "TaskRun", RunName = job + "-run", Job = job, Type = "presubmit", Repository = "octo/hello", Pull = _pull, Sha = Sha,
            BaseRef = "main", Context = job, Optional = optional, State = JobStates.Triggered, CreatedAt = _time.GetUtcNow(), UpdatedAt = _time.GetUtcNow(),
        }, Ct);
        return uid;
    }

    private async Task FinishAsync(string uid, string status, string reason)
    {
        var run = await _store.GetRunByUidAsync(uid, Ct);
        await _store.DeleteRunAsync(uid, "test", Ct);
        await _store.CreateRunAsync(run! with { Phase = RunPhase.Finished, Status = status, Reason = reason, CompletedAt = _time.GetUtcNow() }, "ci", Ct);
    }

    [Fact(Timeout = 30_000)]
    public async Task RunOnceAsync_EachChangeOfState_OneStatusWithProwsTextAndTheRunsPage()
    {
        var uid = await StartAsync("unit");

        await _reporter.RunOnceAsync(Ct);
        await _reporter.RunOnceAsync(Ct);
        await FinishAsync(uid, "True", "Succeeded");
        await _reporter.RunOnceAsync(Ct);
        await _reporter.RunOnceAsync(Ct);

        Assert.Equal(
            [("pending", "Job triggered."), ("success", "Job succeeded.")],
            _repo.Statuses.Select(s => (s.State, s.Description)));
        Assert.All(_repo.Statuses, s => Assert.Equal("https://ci.example.com/ui/taskruns/unit-run", s.TargetUrl));
        Assert.Empty(await _store.ListJobResultsToSyncAsync(10, Ct));
        Assert.Equal(JobStates.Success, Assert.Single(await _store.ListJobResultsAsync(new JobResultQuery(), Ct)).State);
    }

    [Fact(Timeout = 30_000)]
    public async Task RunOnceAsync_Failures_OneCommentWithProwsTable_ReplacedThenDeletedWhenAllPass()
    {
        var unit = await StartAsync("unit");
        var lint = await StartAsync("lint", optional: true);
        await FinishAsync(unit, "False", "Failed");
        await FinishAsync(lint, "False", "TaskRunCancelled");

        await _reporter.RunOnceAsync(Ct);

        var comment = Assert.Single(_repo.CommentsOn(_pull));
        Assert.Equal("""
            @alice: The following tests **failed**, say `/retest` to rerun all failed tests or `/retest-required` to rerun all mandatory failed tests:

            Test name | Commit | Details | Required | Rerun command
            --- | --- | --- | --- | ---
            lint | ec26c3e | [link](https://ci.example.com/ui/taskruns/lint-run) | false | `/test lint`
            unit | ec26c3e | [link](https://ci.example.com/ui/taskruns/unit-run) | true | `/test unit`

            <details>

            Instructions for interacting with me using PR comments are available [here](https://git.k8s.io/community/contributors/guide/pull-requests.md).
            </details>
            <!-- test report -->
            """, comment.Body);
        Assert.Equal(("failure", "Job aborted."), _repo.Statuses.Where(s => s.Context == "lint").Select(s => (s.State, s.Description)).Last());

        // unit passes on a rerun: the comment is replaced with lint alone, in place.
        _time.Advance(TimeSpan.FromMinutes(1));
        var rerun = await StartAsync("unit-2");
        await _store.UpdateJobResultAsync(rerun, JobStates.Triggered, "", false, _time.GetUtcNow(), Ct);
        var again = (await _store.ListJobResultsAsync(new JobResultQuery { Job = "unit-2" }, Ct))[0];
        await _store.DeleteRunAsync(rerun, "test", Ct);
        await _store.UpdateJobResultAsync(again.Uid, JobStates.Success, JobStates.Success, true, _time.GetUtcNow(), Ct);
        await _reporter.UpdateFailureCommentAsync(new RepositoryName("octo", "hello"), _pull, Ct);
        Assert.Contains("lint | ec26c3e", Assert.Single(_repo.CommentsOn(_pull)).Body, StringComparison.Ordinal);

        await _store.UpdateJobResultAsync(lint, JobStates.Success, JobStates.Success, true, _time.GetUtcNow(), Ct);
        await _store.UpdateJobResultAsync(unit, JobStates.Success, JobStates.Success, true, _time.GetUtcNow(), Ct);
        await _reporter.UpdateFailureCommentAsync(new RepositoryName("octo", "hello"), _pull, Ct);
        Assert.Empty(_repo.CommentsOn(_pull));
    }

    [Fact(Timeout = 30_000)]
    public async Task RunOnceAsync_RunDeletedBeforeItEnded_ReportedAborted()
    {
        var uid = await StartAsync("unit");
        await _store.DeleteRunAsync(uid, "someone", Ct);

        await _reporter.RunOnceAsync(Ct);

        Assert.Equal(("failure", "Job aborted."), _repo.Statuses.Select(s => (s.State, s.Description)).Single());
    }

    [Theory]
    [InlineData(RunPhase.Queued, "Unknown", "", JobStates.Triggered)]
    [InlineData(RunPhase.Running, "Unknown", "Running", JobStates.Pending)]
    [InlineData(RunPhase.Finished, "True", "Completed", JobStates.Success)]
    [InlineData(RunPhase.Finished, "False", "Failed", JobStates.Failure)]
    [InlineData(RunPhase.Finished, "False", "PipelineRunTimeout", JobStates.Failure)]
    [InlineData(RunPhase.Finished, "False", "StoppedRunFinally", JobStates.Aborted)]
    [InlineData(RunPhase.Finished, "Unknown", "InternalError", JobStates.Error)]
    public void JobStatesOf_RunAsItStands_ProwsState(RunPhase phase, string status, string reason, string expected)
    {
        var run = new RunSummary { Uid = "u", Kind = "PipelineRun", Name = "n", Phase = phase, Status = status, Reason = reason, CreatedAt = DateTimeOffset.UnixEpoch };

        Assert.Equal(expected, JobStates.Of(run));
    }
}
