using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Mothership.Ci.Forge;
using Mothership.Ci.Reporting;
using Mothership.Store;
using Mothership.Testing.GitHub;

namespace Mothership.Ci.Tests.Reporting;

/// <summary>The reporter as a GitHub App: check runs beside statuses, against the fake GitHub in App mode.</summary>
public sealed class CheckRunReporterTests : IAsyncLifetime
{
    private const string Sha = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
    private const long AppId = 7;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero));
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mship-checks-");
    private readonly RSA _key = RSA.Create(2048);
    private readonly StepLogs _logs = new();
    private FakeGitHub _github = null!;
    private FakeRepository _repo = null!;
    private IRunStore _store = null!;
    private JobReporter _reporter = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly JobReporterOptions Options = new() { PublicUrl = new Uri("https://ci.example.com/") };

    public async ValueTask InitializeAsync()
    {
        var app = new FakeGitHubApp(AppId, _key);
        app.Install("octo");
        _github = await FakeGitHub.StartAsync(new FakeGitHubOptions { App = app, Time = _time }, Ct);
        _repo = _github.AddRepository("octo", "hello");
        _repo.AddPullRequest("alice", Sha);
        _store = RunStoreFactory.Open("sqlite:" + Path.Combine(_dir.FullName, "store.db"), _time);
        await _store.MigrateAsync(Ct);
        var key = RSA.Create();
        key.ImportRSAPrivateKey(_key.ExportRSAPrivateKey(), out _);
        var forge = new GitHubAppForge(new GitHubForgeOptions { ApiUrl = _github.BaseUri, MaxAttempts = 1 }, new GitHubAppCredentials(AppId, key), _time);
        _reporter = new JobReporter(_store, forge, Options, _time, new CheckRunReporter(forge, _logs, Options, _time));
    }

    public async ValueTask DisposeAsync()
    {
        Assert.Empty(_github.Errors);
        await _github.DisposeAsync();
        await _store.DisposeAsync();
        _key.Dispose();
        _dir.Delete(recursive: true);
    }

    private async Task<string> StartAsync(string job)
    {
        var uid = "uid-" + job;
        await _store.CreateRunAsync(new RunRecord
        {
            Uid = uid, Kind = "TaskRun", Name = job + "-run", Phase = RunPhase.Queued, Status = "Unknown", CreatedAt = _time.GetUtcNow(),
            Manifest = "kind: TaskRun", CreatedBy = "ci",
        }, "ci", Ct);
        await _store.AddJobResultAsync(new JobResult
        {
            Uid = uid, RunKind = "TaskRun", RunName = job + "-run", Job = job, Type = "presubmit", Repository = "octo/hello", Pull = 1, Sha = Sha,
            BaseRef = "main", Context = job, State = JobStates.Triggered, CreatedAt = _time.GetUtcNow(), UpdatedAt = _time.GetUtcNow(),
        }, Ct);
        return uid;
    }

    private async Task SetAsync(string uid, RunPhase phase, string status, string reason)
    {
        var run = await _store.GetRunByUidAsync(uid, Ct);
        await _store.DeleteRunAsync(uid, "test", Ct);
        await _store.CreateRunAsync(run! with { Phase = phase, Status = status, Reason = reason, CompletedAt = phase == RunPhase.Finished ? _time.GetUtcNow() : null }, "ci", Ct);
    }

    [Fact(Timeout = 30_000)]
    public async Task RunOnceAsync_FailedRun_OneCheckQueuedInProgressThenFailedWithSnippetAndAnnotations()
    {
        var uid = await StartAsync("unit");
        _logs.Failed[uid] = new FailedStepLog("unit", "compile", 2,
            ["go build ./...", "using token ***", "./cmd/main.go:12:5: error: undefined: handler", "src/lib.c:40: error: expected ';'", "FAIL"]);

        await _reporter.RunOnceAsync(Ct);
        var queued = Assert.Single(_repo.CheckRuns);
        await SetAsync(uid, RunPhase.Running, "Unknown", "Running");
        await _reporter.RunOnceAsync(Ct);
        var running = Assert.Single(_repo.CheckRuns);
        await SetAsync(uid, RunPhase.Finished, "False", "Failed");
        await _reporter.RunOnceAsync(Ct);
        await _reporter.RunOnceAsync(Ct);

        Assert.Equal(("queued", "unit", Sha, uid), (queued.Status, queued.Name, queued.HeadSha, queued.ExternalId));
        Assert.Equal("https://ci.example.com/ui/taskruns/unit-run", queued.DetailsUrl);
        Assert.Equal((queued.Id, "in_progress"), (running.Id, running.Status));
        var done = Assert.Single(_repo.CheckRuns);
        Assert.Equal((queued.Id, "completed", "failure", 2), (done.Id, done.Status, done.Conclusion, done.Updates));
        Assert.Equal("Job failed. Step compile failed", done.Title);
        Assert.Equal("""
            unit: step `compile` of task `unit` failed (exit code 2). The end of its log:

            ```text
            go build ./...
            using token ***
            ./cmd/main.go:12:5: error: undefined: handler
            src/lib.c:40: error: expected ';'
            FAIL
            ```

            [The run](https://ci.example.com/ui/taskruns/unit-run) on Mothership.
            """, done.Summary);
        Assert.Equal(
            [
                new FakeCheckAnnotation("cmd/main.go", 12, 12, 5, 5, "failure", "undefined: handler", null),
                new FakeCheckAnnotation("src/lib.c", 40, 40, null, null, "failure", "expected ';'", null),
            ],
            done.Annotations);
        // Statuses as before: triggered and running look alike, so two.
        Assert.Equal(["pending", "failure"], _repo.Statuses.Select(s => s.State));
    }

    [Fact(Timeout = 30_000)]
    public async Task RunOnceAsync_Succeeded_CheckCompletedSuccessWithoutLogs()
    {
        var uid = await StartAsync("lint");
        await SetAsync(uid, RunPhase.Finished, "True", "Succeeded");

        await _reporter.RunOnceAsync(Ct);

        var check = Assert.Single(_repo.CheckRuns);
        Assert.Equal(("completed", "success", "Job succeeded.", 0), (check.Status, check.Conclusion, check.Title, check.Annotations.Count));
        Assert.Empty(_logs.Asked);
    }

    [Fact(Timeout = 30_000)]
    public async Task RunOnceAsync_CheckRunRefused_StatusStillReportedAndResultDone()
    {
        var uid = await StartAsync("unit");
        await SetAsync(uid, RunPhase.Finished, "True", "Succeeded");
        _github.Faults.FailNext(1, "POST", "/repos/octo/hello/check-runs", GitHubFault.Forbidden);

        await _reporter.RunOnceAsync(Ct);

        Assert.Equal("success", Assert.Single(_repo.Statuses).State);
        Assert.Empty(_repo.CheckRuns);
        Assert.Empty(await _store.ListJobResultsToSyncAsync(10, Ct));
    }

    [Theory]
    [InlineData(JobStates.Triggered, CheckRunStatus.Queued, null)]
    [InlineData(JobStates.Pending, CheckRunStatus.InProgress, null)]
    [InlineData(JobStates.Success, CheckRunStatus.Completed, CheckRunConclusion.Success)]
    [InlineData(JobStates.Failure, CheckRunStatus.Completed, CheckRunConclusion.Failure)]
    [InlineData(JobStates.Aborted, CheckRunStatus.Completed, CheckRunConclusion.Cancelled)]
    [InlineData(JobStates.Error, CheckRunStatus.Completed, CheckRunConclusion.Failure)]
    public void StatusOf_ProwState_CheckStatusAndConclusion(string state, CheckRunStatus status, CheckRunConclusion? conclusion) =>
        Assert.Equal((status, conclusion), CheckRunReporter.StatusOf(state));

    [Fact]
    public void Summary_LinesWithBackticks_FenceLongerThanAny()
    {
        var summary = CheckRunReporter.Summary("unit", new FailedStepLog("t", "s", null, ["echo ```", "x"]), "");

        Assert.Contains("````text\necho ```\nx\n````", summary, StringComparison.Ordinal);
    }

    /// <summary>The server's log store as the reporter sees it: a failed step per run uid.</summary>
    private sealed class StepLogs : IJobLogs
    {
        public Dictionary<string, FailedStepLog> Failed { get; } = [];

        public List<string> Asked { get; } = [];

        public Task<FailedStepLog?> FailedStepAsync(string uid, int maxLines, CancellationToken cancellationToken)
        {
            Asked.Add(uid);
            return Task.FromResult(Failed.TryGetValue(uid, out var log) ? log with { Lines = [.. log.Lines.TakeLast(maxLines)] } : null);
        }
    }
}
