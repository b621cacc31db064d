using System.Collections.Immutable;
using Microsoft.Extensions.Time.Testing;

namespace Mothership.Store.Tests;

/// <summary>
/// What every <see cref="IRunStore"/> must do, run once per database by the subclasses. Each test
/// gets an empty, migrated database of its own.
/// </summary>
public abstract partial class RunStoreContractTests : IAsyncLifetime
{
    /// <summary>A time with microseconds, to check they survive the round trip.</summary>
    protected static readonly DateTimeOffset Start = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(1_234_560);

    protected FakeTimeProvider Time { get; } = new(Start);

    protected IRunStore Store { get; private set; } = null!;

    /// <summary>The database string the store was opened with.</summary>
    protected string Database { get; private set; } = "";

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A fresh, empty database as a <c>--database</c> string.</summary>
    protected abstract Task<string> CreateDatabaseAsync(CancellationToken cancellationToken);

    /// <summary>Rows of <paramref name="table"/> for a run, read past the store.</summary>
    protected abstract Task<long> CountRowsAsync(string table, string uid, CancellationToken cancellationToken);

    public async ValueTask InitializeAsync()
    {
        Database = await CreateDatabaseAsync(Ct);
        Store = RunStoreFactory.Open(Database, Time);
        await Store.MigrateAsync(Ct);
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (Store is not null)
        {
            await Store.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    protected static RunRecord Run(
        string name,
        string pipeline = "build",
        DateTimeOffset? created = null,
        RunPhase phase = RunPhase.Queued,
        string status = "Unknown",
        string reason = "",
        ImmutableSortedDictionary<string, string>? labels = null,
        DateTimeOffset? completed = null,
        string kind = "PipelineRun") => new()
        {
            Uid = "uid-" + name,
            Kind = kind,
            Name = name,
            Pipeline = pipeline,
            Labels = labels ?? ImmutableSortedDictionary<string, string>.Empty,
            Phase = phase,
            Status = status,
            Reason = reason,
            CreatedAt = created ?? Start,
            StartedAt = phase is RunPhase.Running or RunPhase.Finished ? (created ?? Start).AddSeconds(1) : null,
            CompletedAt = completed ?? (phase == RunPhase.Finished ? (created ?? Start).AddMinutes(1) : null),
            Manifest = $"apiVersion: tekton.dev/v1\nkind: {kind}\nmetadata:\n  name: {name}\n",
            CreatedBy = "alice",
        };

    private static RunRecord Finished(string name, string pipeline, int minute, bool ok, DateTimeOffset? completed = null) =>
        Run(name, pipeline, Start.AddMinutes(minute), RunPhase.Finished, ok ? "True" : "False", ok ? "Succeeded" : "Failed", Labels(("team", "ci")), completed)
            with { Object = $"{{\"name\":\"{name}\"}}" };

    private static ImmutableSortedDictionary<string, string> Labels(params (string Key, string Value)[] labels) =>
        labels.ToImmutableSortedDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal);

    private async Task CreateAsync(params RunRecord[] runs)
    {
        foreach (var run in runs)
        {
            Assert.True(await Store.CreateRunAsync(run, "alice", Ct), run.Name);
        }
    }

    private async Task<List<string>> NamesAsync(RunQuery query) =>
        (await Store.ListRunsAsync(query, Ct)).Items.Select(r => r.Name).ToList();

    // ---- Schema ----------------------------------------------------------------------------------

    [Fact(Timeout = 60000)]
    public async Task MigrateAsync_AgainAndConcurrentlyOnAFreshDatabase_Succeeds()
    {
        await Store.MigrateAsync(Ct);

        var fresh = await CreateDatabaseAsync(Ct);
        await using var a = RunStoreFactory.Open(fresh, Time);
        await using var b = RunStoreFactory.Open(fresh, Time);
        await Task.WhenAll(Task.Run(() => a.MigrateAsync(Ct), Ct), Task.Run(() => b.MigrateAsync(Ct), Ct));
        Assert.True(await a.CreateRunAsync(Run("x"), "alice", Ct));
        Assert.NotNull(await b.GetRunAsync("PipelineRun", "x", Ct));
    }

    [Fact(Timeout = 60000)]
    public async Task PingAsync_MigratedStore_Succeeds()
    {
        await Store.PingAsync(Ct);
        Assert.Contains(Store.Provider, new[] { "sqlite", "postgres" });
    }

    // ---- Resources -------------------------------------------------------------------------------

    [Fact(Timeout = 60000)]
    public async Task ApplyResourceAsync_NewSameChanged_CreatedUnchangedConfigured()
    {
        var task = new StoredResource { Kind = "Task", Name = "build", Document = "kind: Task\n" };
        Assert.Equal(ApplyOutcome.Created, await Store.ApplyResourceAsync(task, "alice", Ct));
        Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(ApplyOutcome.Unchanged, await Store.ApplyResourceAsync(task, "alice", Ct));
        Assert.Equal(ApplyOutcome.Configured, await Store.ApplyResourceAsync(task with { Document = "kind: Task\n# v2\n" }, "bob", Ct));

        var stored = await Store.GetResourceAsync("Task", "build", Ct);
        Assert.NotNull(stored);
        Assert.Equal(2, stored.Generation);
        Assert.Equal("kind: Task\n# v2\n", stored.Document);
        Assert.Equal(Start, stored.CreatedAt);
        Assert.Equal(Start.AddSeconds(10), stored.UpdatedAt);

        var audit = await Store.ListAuditAsync(10, Ct);
        Assert.Equal(["bob:apply:configured", "alice:apply:created"], audit.Select(a => $"{a.Actor}:{a.Action}:{a.Detail}"));
    }

    [Fact(Timeout = 60000)]
    public async Task ListResourcesAsync_SeveralKinds_ReturnsKindByName()
    {
        foreach (var name in new[] { "b", "a", "c" })
        {
            await Store.ApplyResourceAsync(new StoredResource { Kind = "Pipeline", Name = name, Document = name }, "alice", Ct);
        }

        await Store.ApplyResourceAsync(new StoredResource { Kind = "Task", Name = "t", Document = "t" }, "alice", Ct);
        Assert.Equal(["a", "b", "c"], (await Store.ListResourcesAsync("Pipeline", Ct)).Select(r => r.Name));
        Assert.Null(await Store.GetResourceAsync("Pipeline", "t", Ct));
    }

    [Fact(Timeout = 60000)]
    public async Task DeleteResourceAsync_ExistingThenMissing_TrueThenFalseAndAudited()
    {
        await Store.ApplyResourceAsync(new StoredResource { Kind = "Task", Name = "t", Document = "t" }, "alice", Ct);
        Assert.True(await Store.DeleteResourceAsync("Task", "t", "bob", Ct));
        Assert.False(await Store.DeleteResourceAsync("Task", "t", "bob", Ct));
        Assert.Null(await Store.GetResourceAsync("Task", "t", Ct));
        Assert.Equal(("bob", "delete", "Task", "t"), (await Store.ListAuditAsync(1, Ct)).Select(a => (a.Actor, a.Action, a.Kind, a.Name)).Single());
    }

    // ---- Runs ------------------------------------------------------------------------------------

    [Fact(Timeout = 60000)]
    public async Task CreateRunAsync_NewRun_RoundTripsEveryField()
    {
        var run = Run("r1", labels: Labels(("app", "web"), ("tier", "front"))) with
        {
            Object = "{\"status\":{}}",
            CancelRequest = "Cancelled",
            StartedAt = Start.AddTicks(7),
            Owner = "replica-1",
            LeaseExpiresAt = Start.AddMinutes(5),
        };
        Assert.True(await Store.CreateRunAsync(run, "alice", Ct));

        // StartedAt loses its sub-microsecond ticks; the store numbers the object (its first
        // version, whatever the caller said); everything else comes back as written.
        var expected = run with { StartedAt = Start, ObjectVersion = 1 };
        Assert.Equal(expected, await Store.GetRunAsync("PipelineRun", "r1", Ct), RunComparer.Instance);
        Assert.Equal(expected, await Store.GetRunByUidAsync("uid-r1", Ct), RunComparer.Instance);
        Assert.Null(await Store.GetRunAsync("TaskRun", "r1", Ct));
        Assert.Null(await Store.GetRunByUidAsync("nope", Ct));
        var summary = (await Store.GetRunSummaryAsync("uid-r1", Ct))!;
        Assert.Equal((run.Uid, run.Name, run.Phase, run.Status, run.Reason, Start), (summary.Uid, summary.Name, summary.Phase, summary.Status, summary.Reason, summary.StartedAt));
        Assert.Equal(run.Labels, summary.Labels);
        Assert.IsNotType<RunRecord>(summary);
        Assert.Null(await Store.GetRunSummaryAsync("nope", Ct));
        Assert.Equal(("alice", "create", "uid-r1"), (await Store.ListAuditAsync(1, Ct)).Select(a => (a.Actor, a.Action, a.Uid)).Single());
    }

    [Fact(Timeout = 60000)]
    public async Task CreateRunAsync_DuplicateKindAndName_ReturnsFalseAndKeepsFirst()
    {
        Assert.True(await Store.CreateRunAsync(Run("r1"), "alice", Ct));
        Assert.False(await Store.CreateRunAsync(Run("r1") with { Uid = "other", Pipeline = "deploy" }, "alice", Ct));
        Assert.False(await Store.CreateRunAsync(Run("r2") with { Uid = "uid-r1" }, "alice", Ct));
        Assert.True(await Store.CreateRunAsync(Run("r1", kind: "TaskRun") with { Uid = "uid-t1" }, "alice", Ct));
        Assert.Equal("build", (await Store.GetRunAsync("PipelineRun", "r1", Ct))!.Pipeline);
        Assert.Null(await Store.GetRunByUidAsync("other", Ct));
    }

    [Fact(Timeout = 60000)]
    public async Task CreateRunAsync_ManyAtOnceSomeWithTheSameName_EachNameCreatedOnceAndEveryCallerTold()
    {
        // Concurrent writes (which SQLite groups into shared transactions): each caller gets its
        // own answer, and a name conflict between two of them still conflicts.
        var unique = Enumerable.Range(0, 40).Select(i => Run($"u{i:D2}")).ToList();
        var same = Enumerable.Range(0, 10).Select(i => Run("same") with { Uid = $"uid-same-{i}" }).ToList();
        var calls = unique.Concat(same).Select(run => (run.Uid, Created: Store.CreateRunAsync(run, "alice", Ct))).ToList();
        await Task.WhenAll(calls.Select(c => c.Created));

        Assert.All(calls.Take(unique.Count), c => Assert.True(c.Created.Result, c.Uid));
        var winner = Assert.Single(calls.Skip(unique.Count), c => c.Created.Result).Uid;
        Assert.Equal(winner, (await Store.GetRunAsync("PipelineRun", "same", Ct))!.Uid);
        Assert.Equal(41, (await Store.ListRunsAsync(new RunQuery { Limit = 500 }, Ct)).Items.Count);
        Assert.Equal(41, (await Store.ListAuditAsync(100, Ct)).Count(a => a.Action == "create"));
    }

    [Fact(Timeout = 60000)]
    public async Task CreateRunAsync_CancelledAmongConcurrentCreates_OnlyItIsNotStored()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var others = Enumerable.Range(0, 20).Select(i => Store.CreateRunAsync(Run($"r{i:D2}"), "alice", Ct)).ToList();
        var gone = Store.CreateRunAsync(Run("gone"), "alice", cancelled.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gone);
        Assert.All(await Task.WhenAll(others), Assert.True);
        Assert.Null(await Store.GetRunAsync("PipelineRun", "gone", Ct));
        Assert.Equal(20, (await Store.ListRunsAsync(new RunQuery { Limit = 500 }, Ct)).Items.Count);
    }

    [Fact(Timeout = 60000)]
    public async Task ListRunsAsync_EachFilter_ReturnsMatchingNewestFirst()
    {
        await CreateAsync(
            Run("a", "build", Start.AddMinutes(1), RunPhase.Finished, "True", "Succeeded"),
            Run("b", "deploy", Start.AddMinutes(2), RunPhase.Finished, "False", "Failed"),
            Run("c", "build", Start.AddMinutes(3), RunPhase.Running, reason: "Running"),
            Run("d", "build", Start.AddMinutes(4), RunPhase.Finished, "False", "Cancelled"),
            Run("e", "test", Start.AddMinutes(5), RunPhase.Pending, reason: "PipelineRunPending"),
            Run("f", "build", Start.AddMinutes(6), kind: "TaskRun"));

        Assert.Equal(["f", "e", "d", "c", "b", "a"], await NamesAsync(new RunQuery()));
        Assert.Equal(["f", "d", "c", "a"], await NamesAsync(new RunQuery { Pipeline = "build" }));
        Assert.Equal(["d", "b", "a"], await NamesAsync(new RunQuery { Phase = RunPhase.Finished }));
        Assert.Equal(["d", "b"], await NamesAsync(new RunQuery { Reasons = ["Failed", "Cancelled"] }));
        Assert.Equal(["f"], await NamesAsync(new RunQuery { Kind = "TaskRun" }));
        Assert.Equal(["d", "c", "b"], await NamesAsync(new RunQuery { Since = Start.AddMinutes(2), Until = Start.AddMinutes(5) }));
        Assert.Equal(["d", "a"], await NamesAsync(new RunQuery { Pipeline = "build", Phase = RunPhase.Finished, Kind = "PipelineRun" }));
        Assert.Empty(await NamesAsync(new RunQuery { Pipeline = "nope" }));

        var summary = (await Store.ListRunsAsync(new RunQuery { Pipeline = "deploy" }, Ct)).Items.Single();
        Assert.Equal(("uid-b", "False", "Failed", Start.AddMinutes(2), Start.AddMinutes(3)), (summary.Uid, summary.Status, summary.Reason, summary.CreatedAt, summary.CompletedAt!.Value));
    }

    [Fact(Timeout = 60000)]
    public async Task ListRunsAsync_LabelSelectors_FollowKubernetesSemantics()
    {
        await CreateAsync(
            Run("web", created: Start.AddMinutes(1), labels: Labels(("app", "web"), ("tier", "front"))),
            Run("api", created: Start.AddMinutes(2), labels: Labels(("app", "api"), ("tier", "back"), ("canary", "true"))),
            Run("db", created: Start.AddMinutes(3), labels: Labels(("app", "db"))),
            Run("bare", created: Start.AddMinutes(4)));

        Task<List<string>> Select(params LabelRequirement[] requirements) => NamesAsync(new RunQuery { Labels = [.. requirements] });
        LabelRequirement Req(string key, LabelOperator op, params string[] values) => new(key, op, [.. values]);

        Assert.Equal(["web"], await Select(Req("app", LabelOperator.Equals, "web")));
        Assert.Equal(["bare", "db", "api"], await Select(Req("app", LabelOperator.NotEquals, "web")));
        Assert.Equal(["db", "web"], await Select(Req("app", LabelOperator.In, "web", "db", "nope")));
        Assert.Equal(["bare", "api"], await Select(Req("app", LabelOperator.NotIn, "web", "db")));
        Assert.Equal(["api", "web"], await Select(Req("tier", LabelOperator.Exists)));
        Assert.Equal(["bare", "db", "web"], await Select(Req("canary", LabelOperator.DoesNotExist)));
        Assert.Equal(["web"], await Select(Req("tier", LabelOperator.Exists), Req("canary", LabelOperator.DoesNotExist)));
        await Assert.ThrowsAsync<ArgumentException>(() => Select(Req("app", LabelOperator.Equals)));
        await Assert.ThrowsAsync<ArgumentException>(() => Select(Req("app", LabelOperator.Exists, "x")));
    }

    [Fact(Timeout = 60000)]
    public async Task ListRunsAsync_PagesWithTiesInCreationTime_NoDuplicatesNoGaps()
    {
        var runs = Enumerable.Range(0, 23).Select(i => Run($"r{i:D2}", created: Start.AddSeconds(i / 5))).ToArray();
        await CreateAsync(runs);
        var expected = runs.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Uid, StringComparer.Ordinal).Select(r => r.Name).ToList();

        foreach (var query in new[] { new RunQuery { Limit = 4 }, new RunQuery { Limit = 5, Pipeline = "build" }, new RunQuery { Limit = 1 } })
        {
            var seen = new List<string>();
            var page = await Store.ListRunsAsync(query, Ct);
            var pages = 1;
            while (true)
            {
                Assert.True(page.Items.Count <= query.Limit);
                seen.AddRange(page.Items.Select(r => r.Name));
                if (page.NextCursor is null)
                {
                    break;
                }

                page = await Store.ListRunsAsync(query with { Cursor = page.NextCursor }, Ct);
                pages++;
            }

            Assert.Equal(expected, seen);
            Assert.Equal((23 + query.Limit - 1) / query.Limit, pages);
        }
    }

    [Fact(Timeout = 60000)]
    public async Task ListRunsAsync_BadCursorOrLimit_Throws()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.ListRunsAsync(new RunQuery { Cursor = "not a cursor!" }, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.ListRunsAsync(new RunQuery { Cursor = "bm9jb2xvbg" }, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.ListRunsAsync(new RunQuery { Limit = 0 }, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.ListRunsAsync(new RunQuery { Limit = 501 }, Ct));
    }

    [Fact(Timeout = 60000)]
    public async Task CountRunsAsync_MixedRuns_CountsPerKindPhaseReason()
    {
        await CreateAsync(Finished("a", "p", 1, ok: true), Finished("b", "p", 2, ok: true), Finished("c", "p", 3, ok: false), Run("d"));
        var counts = await Store.CountRunsAsync(Ct);
        Assert.Equal(
            [new RunCount("PipelineRun", RunPhase.Finished, "Failed", 1), new RunCount("PipelineRun", RunPhase.Finished, "Succeeded", 2), new RunCount("PipelineRun", RunPhase.Queued, "", 1)],
            counts.OrderBy(c => c.Phase.ToString(), StringComparer.Ordinal).ThenBy(c => c.Reason, StringComparer.Ordinal));
    }

    // ---- Transitions -----------------------------------------------------------------------------

    private async Task<RunRecord> ClaimedAsync(string name, string owner = "a")
    {
        await CreateAsync(Run(name));
        var claimed = await Store.ClaimRunsAsync(owner, 1, TimeSpan.FromMinutes(1), Time.GetUtcNow(), Ct);
        return Assert.Single(claimed).Run;
    }

    private static RunTransition Transition(string uid, string owner, long seq, string? entry = "{}") => new()
    {
        Uid = uid,
        Owner = owner,
        Seq = seq,
        JournalEntries = entry is null ? [] : [entry],
        Phase = RunPhase.Running,
        Status = "Unknown",
        Reason = "Running",
        StartedAt = Start.AddSeconds(1),
        Object = $"{{\"seq\":{seq}}}",
    };

    [Fact(Timeout = 60000)]
    public async Task CommitTransitionAsync_Owner_WritesJournalAndStatus()
    {
        var run = await ClaimedAsync("r");
        Assert.True(await Store.CommitTransitionAsync(Transition(run.Uid, "a", 0, "{\"e\":0}"), Ct));
        Assert.True(await Store.CommitTransitionAsync(Transition(run.Uid, "a", 1, "{\"e\":1}"), Ct));
        Assert.True(await Store.CommitTransitionAsync(Transition(run.Uid, "a", 99, entry: null) with
        {
            Phase = RunPhase.Finished,
            Status = "True",
            Reason = "Succeeded",
            StartedAt = null,
            CompletedAt = Start.AddMinutes(2),
            Object = null,
        }, Ct));

        Assert.Equal([new JournalEntry(0, "{\"e\":0}"), new JournalEntry(1, "{\"e\":1}")], await Store.ReadJournalAsync(run.Uid, Ct));
        var stored = (await Store.GetRunByUidAsync(run.Uid, Ct))!;
        Assert.Equal((RunPhase.Finished, "True", "Succeeded", Start.AddSeconds(1), Start.AddMinutes(2), "{\"seq\":1}"),
            (stored.Phase, stored.Status, stored.Reason, stored.StartedAt!.Value, stored.CompletedAt!.Value, stored.Object));
    }

    [Fact(Timeout = 60000)]
    public async Task CommitTransitionAsync_WrongOwner_ReturnsFalseAndWritesNothing()
    {
        var run = await ClaimedAsync("r");
        Assert.False(await Store.CommitTransitionAsync(Transition(run.Uid, "b", 0), Ct));
        Assert.False(await Store.CommitTransitionAsync(Transition("uid-unknown", "a", 0), Ct));
        Assert.Empty(await Store.ReadJournalAsync(run.Uid, Ct));
        var stored = (await Store.GetRunByUidAsync(run.Uid, Ct))!;
        Assert.Equal((RunPhase.Queued, "Unknown", "", (string?)null), (stored.Phase, stored.Status, stored.Reason, stored.Object));
    }

    [Fact(Timeout = 60000)]
    public async Task CommitTransitionAsync_WithEvents_StoredInTheCommitNotWhenFenced()
    {
        var run = await ClaimedAsync("r");
        var started = new RunEvent(run.Uid, Start.AddSeconds(1), "Normal", "Started", "PipelineRun started");
        var lost = new RunEvent(run.Uid, Start.AddSeconds(2), "Normal", "Lost", "from a replica that lost the run");

        Assert.True(await Store.CommitTransitionAsync(Transition(run.Uid, "a", 0) with { Object = null, Events = [started] }, Ct));
        Assert.False(await Store.CommitTransitionAsync(Transition(run.Uid, "b", 1) with { Events = [lost] }, Ct));

        Assert.Equal([started], await Store.ListEventsAsync(run.Uid, Ct));
    }

    [Fact(Timeout = 60000)]
    public async Task CommitTransitionAsync_StatusAsItWas_JournalWrittenAndStillFencedByOwner()
    {
        // A journal entry with the status unchanged and no object leaves the row alone (a whole-row
        // rewrite on SQLite), but the owner's fence holds the same.
        var run = await ClaimedAsync("r");
        Assert.True(await Store.CommitTransitionAsync(Transition(run.Uid, "a", 0, "{\"e\":0}"), Ct));
        var same = Transition(run.Uid, "a", 1, "{\"e\":1}") with { Object = null };

        Assert.True(await Store.CommitTransitionAsync(same, Ct));
        Assert.False(await Store.CommitTransitionAsync(same with { Owner = "b", Seq = 2, JournalEntries = ["{\"e\":2}"] }, Ct));
        Assert.True(await Store.CommitTransitionAsync(same with { Seq = 2, JournalEntries = [], CompletedAt = Start.AddMinutes(1) }, Ct));

        Assert.Equal([new JournalEntry(0, "{\"e\":0}"), new JournalEntry(1, "{\"e\":1}")], await Store.ReadJournalAsync(run.Uid, Ct));
        var stored = (await Store.GetRunByUidAsync(run.Uid, Ct))!;
        Assert.Equal(("Running", "{\"seq\":0}", Start.AddMinutes(1)), (stored.Reason, stored.Object, stored.CompletedAt));
    }

    [Fact(Timeout = 60000)]
    public async Task CommitTransitionAsync_DuplicateSeq_ReturnsFalseAndKeepsStatus()
    {
        var run = await ClaimedAsync("r");
        Assert.True(await Store.CommitTransitionAsync(Transition(run.Uid, "a", 0, "first"), Ct));
        Assert.False(await Store.CommitTransitionAsync(Transition(run.Uid, "a", 0, "second") with { Reason = "Changed" }, Ct));
        Assert.Equal([new JournalEntry(0, "first")], await Store.ReadJournalAsync(run.Uid, Ct));
        Assert.Equal("Running", (await Store.GetRunByUidAsync(run.Uid, Ct))!.Reason);
    }

    [Fact(Timeout = 60000)]
    public async Task CommitTransitionAsync_SeveralEntries_StoredInOrderOrNoneWhenOneSeqIsTaken()
    {
        var run = await ClaimedAsync("r");
        Assert.True(await Store.CommitTransitionAsync(Transition(run.Uid, "a", 1, "e1"), Ct));
        // The second entry's seq is taken: the first is not kept either, nor the status.
        Assert.False(await Store.CommitTransitionAsync(Transition(run.Uid, "a", 0) with { JournalEntries = ["x0", "x1"], Reason = "Changed" }, Ct));
        Assert.True(await Store.CommitTransitionAsync(Transition(run.Uid, "a", 0, "e0"), Ct));
        Assert.True(await Store.CommitTransitionAsync(Transition(run.Uid, "a", 2) with { JournalEntries = ["e2", "e3", "e4"] }, Ct));

        Assert.Equal([new JournalEntry(0, "e0"), new JournalEntry(1, "e1"), new JournalEntry(2, "e2"), new JournalEntry(3, "e3"), new JournalEntry(4, "e4")],
            await Store.ReadJournalAsync(run.Uid, Ct));
        Assert.Equal("Running", (await Store.GetRunByUidAsync(run.Uid, Ct))!.Reason);
    }

    [Fact(Timeout = 60000)]
    public async Task RequestCancelAsync_ThenHandled_RecordedThenCleared()
    {
        var run = await ClaimedAsync("r");
        Assert.True(await Store.RequestCancelAsync(run.Uid, "StoppedRunFinally", "bob", Ct));
        Assert.Equal("StoppedRunFinally", (await Store.GetRunByUidAsync(run.Uid, Ct))!.CancelRequest);
        Assert.Equal(("bob", "cancel", "r", "StoppedRunFinally"), (await Store.ListAuditAsync(1, Ct)).Select(a => (a.Actor, a.Action, a.Name, a.Detail)).Single());

        Assert.True(await Store.CommitTransitionAsync(Transition(run.Uid, "a", 0) with { CancelHandled = true }, Ct));
        Assert.Null((await Store.GetRunByUidAsync(run.Uid, Ct))!.CancelRequest);

        Assert.False(await Store.RequestCancelAsync("uid-unknown", "Cancelled", "bob", Ct));
    }

    [Fact(Timeout = 60000)]
    public async Task RequestCancelAsync_AnyRequest_StoredAsGiven()
    {
        // Which requests exist is the server's to check: the store keeps the caller's string.
        var run = await ClaimedAsync("r");
        Assert.True(await Store.RequestCancelAsync(run.Uid, "Stop please", "bob", Ct));
        Assert.Equal("Stop please", (await Store.GetRunByUidAsync(run.Uid, Ct))!.CancelRequest);
        Assert.Equal([(run.Uid, "Stop please")], await Store.ListCancelRequestsAsync("a", Ct));
    }

    [Fact(Timeout = 60000)]
    public async Task RequestCancelAsync_FinishedRun_ReturnsFalse()
    {
        await CreateAsync(Finished("done", "p", 1, ok: true));
        Assert.False(await Store.RequestCancelAsync("uid-done", "Cancelled", "bob", Ct));
        Assert.Null((await Store.GetRunByUidAsync("uid-done", Ct))!.CancelRequest);
    }

    [Fact(Timeout = 60000)]
    public async Task ReleasePendingAsync_PendingRun_QueuesItOnce()
    {
        await CreateAsync(Run("p", phase: RunPhase.Pending, reason: "PipelineRunPending"));
        Assert.Empty(await Store.ClaimRunsAsync("a", 10, TimeSpan.FromMinutes(1), Start, Ct));
        Assert.True(await Store.ReleasePendingAsync("uid-p", "bob", Ct));
        Assert.False(await Store.ReleasePendingAsync("uid-p", "bob", Ct));
        Assert.Equal(RunPhase.Queued, (await Store.GetRunByUidAsync("uid-p", Ct))!.Phase);
        Assert.Equal(("bob", "start"), (await Store.ListAuditAsync(1, Ct)).Select(a => (a.Actor, a.Action)).Single());
        Assert.Single(await Store.ClaimRunsAsync("a", 10, TimeSpan.FromMinutes(1), Start, Ct));
    }

    [Fact(Timeout = 60000)]
    public async Task DeleteRunAsync_RunWithEverything_DeletesAllButAudit()
    {
        var run = await ClaimedAsync("r");
        await CreateAsync(Run("keep", labels: Labels(("app", "web"))));
        await Store.CommitTransitionAsync(Transition(run.Uid, "a", 0), Ct);
        await Store.AppendLogsAsync([Chunk(run.Uid, "t", "step-a", 0, "x\n"), Chunk("uid-keep", "t", "step-a", 0, "y\n")], Ct);
        await Store.AddEventAsync(new RunEvent(run.Uid, Start, "Normal", "Started", "started"), Ct);

        Assert.True(await Store.DeleteRunAsync(run.Uid, "bob", Ct));
        Assert.False(await Store.DeleteRunAsync(run.Uid, "bob", Ct));
        Assert.Null(await Store.GetRunByUidAsync(run.Uid, Ct));
        Assert.Empty(await Store.ReadJournalAsync(run.Uid, Ct));
        Assert.Empty(await Store.ReadLogsAsync(new LogQuery { Uid = run.Uid }, Ct));
        Assert.Empty(await Store.ListEventsAsync(run.Uid, Ct));
        Assert.Single(await Store.ReadLogsAsync(new LogQuery { Uid = "uid-keep" }, Ct));
        Assert.Equal(1, await CountRowsAsync("run_labels", "uid-keep", Ct));
        Assert.Equal((0L, 0L, 1L), (await CountRowsAsync("run_manifests", run.Uid, Ct), await CountRowsAsync("run_objects", run.Uid, Ct), await CountRowsAsync("run_manifests", "uid-keep", Ct)));
        Assert.Equal(("bob", "delete", "r", "uid-r"), (await Store.ListAuditAsync(1, Ct)).Select(a => (a.Actor, a.Action, a.Name, a.Uid)).Single());
    }

    // ---- Leases ----------------------------------------------------------------------------------

    [Fact(Timeout = 60000)]
    public async Task ClaimRunsAsync_Mixed_ClaimsQueuedAndRunningOldestFirstUpToMax()
    {
        await CreateAsync(
            Run("q2", created: Start.AddMinutes(2)),
            Run("q1", created: Start.AddMinutes(1)),
            Run("running", created: Start.AddMinutes(3), phase: RunPhase.Running),
            Run("pending", created: Start, phase: RunPhase.Pending),
            Finished("done", "p", 0, ok: true));

        var first = await Store.ClaimRunsAsync("a", 2, TimeSpan.FromMinutes(1), Time.GetUtcNow(), Ct);
        Assert.Equal(["q1", "q2"], first.Select(c => c.Run.Name));
        Assert.All(first, c => Assert.Equal(("a", Start.AddMinutes(1), (string?)null), (c.Run.Owner, c.Run.LeaseExpiresAt!.Value, c.PreviousOwner)));
        Assert.All(first, c => Assert.Equal(RunPhase.Queued, c.Run.Phase));
        Assert.Equal(["running"], (await Store.ClaimRunsAsync("b", 10, TimeSpan.FromMinutes(1), Time.GetUtcNow(), Ct)).Select(c => c.Run.Name));
        Assert.Empty(await Store.ClaimRunsAsync("c", 10, TimeSpan.FromMinutes(1), Time.GetUtcNow(), Ct));
    }

    [Fact(Timeout = 60000)]
    public async Task ClaimRunsAsync_LeaseExpired_TakesOverWithPreviousOwnerAndFencesOldOwner()
    {
        var run = await ClaimedAsync("r", owner: "a");
        Time.Advance(TimeSpan.FromSeconds(59));
        Assert.Empty(await Store.ClaimRunsAsync("b", 10, TimeSpan.FromMinutes(1), Time.GetUtcNow(), Ct));

        Time.Advance(TimeSpan.FromSeconds(2));
        var taken = Assert.Single(await Store.ClaimRunsAsync("b", 10, TimeSpan.FromMinutes(1), Time.GetUtcNow(), Ct));
        Assert.Equal(("b", "a"), (taken.Run.Owner, taken.PreviousOwner));
        Assert.False(await Store.CommitTransitionAsync(Transition(run.Uid, "a", 0), Ct));
        Assert.True(await Store.CommitTransitionAsync(Transition(run.Uid, "b", 0), Ct));
    }

    [Fact(Timeout = 60000)]
    public async Task RenewLeasesAsync_SomeTakenOver_ReturnsOnlyHeld()
    {
        await CreateAsync(Run("r1", created: Start.AddMinutes(1)), Run("r2", created: Start.AddMinutes(2)));
        Assert.Equal(2, (await Store.ClaimRunsAsync("a", 10, TimeSpan.FromMinutes(1), Time.GetUtcNow(), Ct)).Count);
        Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Single(await Store.ClaimRunsAsync("b", 1, TimeSpan.FromMinutes(1), Time.GetUtcNow(), Ct)); // takes r1

        var held = await Store.RenewLeasesAsync("a", ["uid-r1", "uid-r2", "uid-unknown"], TimeSpan.FromMinutes(5), Time.GetUtcNow(), Ct);
        Assert.Equal(["uid-r2"], held);
        Assert.Equal(Time.GetUtcNow().AddMinutes(5), (await Store.GetRunByUidAsync("uid-r2", Ct))!.LeaseExpiresAt);
        Assert.Empty(await Store.RenewLeasesAsync("a", [], TimeSpan.FromMinutes(5), Time.GetUtcNow(), Ct));
    }

    [Fact(Timeout = 60000)]
    public async Task ReleaseLeaseAsync_ByOwner_LetsAnotherClaimAtOnce()
    {
        var run = await ClaimedAsync("r", owner: "a");
        await Store.ReleaseLeaseAsync(run.Uid, "intruder", Ct);
        Assert.Empty(await Store.ClaimRunsAsync("b", 10, TimeSpan.FromMinutes(1), Time.GetUtcNow(), Ct));
        await Store.ReleaseLeaseAsync(run.Uid, "a", Ct);
        var claimed = Assert.Single(await Store.ClaimRunsAsync("b", 10, TimeSpan.FromMinutes(1), Time.GetUtcNow(), Ct));
        Assert.Null(claimed.PreviousOwner);
    }

    [Fact(Timeout = 60000)]
    public async Task ClaimRunsAsync_TwoClaimersInParallel_ClaimDisjointAndCompleteSets()
    {
        var runs = Enumerable.Range(0, 200).Select(i => Run($"r{i:D3}", created: Start.AddSeconds(i))).ToArray();
        foreach (var chunk in runs.Chunk(50))
        {
            await Task.WhenAll(chunk.Select(r => Store.CreateRunAsync(r, "alice", Ct)));
        }

        await using var other = RunStoreFactory.Open(Database, Time);
        async Task<List<string>> ClaimAllAsync(IRunStore store, string owner)
        {
            var mine = new List<string>();
            while (true)
            {
                var claimed = await store.ClaimRunsAsync(owner, 7, TimeSpan.FromMinutes(5), Time.GetUtcNow(), Ct);
                if (claimed.Count == 0)
                {
                    return mine;
                }

                mine.AddRange(claimed.Select(c => c.Run.Uid));
            }
        }

        var results = await Task.WhenAll(Task.Run(() => ClaimAllAsync(Store, "a"), Ct), Task.Run(() => ClaimAllAsync(other, "b"), Ct));
        Assert.Empty(results[0].Intersect(results[1]));
        Assert.Equal(runs.Select(r => r.Uid).Order(StringComparer.Ordinal), results[0].Concat(results[1]).Order(StringComparer.Ordinal));
    }

    // ---- Logs, events, audit ---------------------------------------------------------------------

    private static LogChunk Chunk(string uid, string taskRun, string container, long firstLine, string text, int attempt = 0) => new()
    {
        Uid = uid,
        TaskRun = taskRun,
        Attempt = attempt,
        Container = container,
        FirstLine = firstLine,
        Text = text,
        Time = Start.AddSeconds(firstLine),
    };

    [Fact(Timeout = 60000)]
    public async Task ReadLogsAsync_AfterIdAndFilters_ReturnsChunksInOrder()
    {
        await Store.AppendLogsAsync(
        [
            Chunk("u", "t1", "step-a", 0, "a0\na1\n"),
            Chunk("u", "t1", "step-b", 0, "b0\n"),
            Chunk("u", "t2", "step-a", 0, "c0\n"),
            Chunk("v", "t1", "step-a", 0, "other run\n"),
        ], Ct);
        await Store.AppendLogsAsync([Chunk("u", "t1", "step-a", 2, "a2\n") with { PipelineTask = "build" }], Ct);

        var all = await Store.ReadLogsAsync(new LogQuery { Uid = "u" }, Ct);
        Assert.Equal(["a0\na1\n", "b0\n", "c0\n", "a2\n"], all.Select(c => c.Chunk.Text));
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.Id < p.Second.Id));
        Assert.Equal(Chunk("u", "t1", "step-a", 2, "a2\n") with { PipelineTask = "build" }, all[^1].Chunk);
        Assert.Null(all[0].Chunk.PipelineTask);

        Assert.Equal(["c0\n", "a2\n"], (await Store.ReadLogsAsync(new LogQuery { Uid = "u", AfterId = all[1].Id }, Ct)).Select(c => c.Chunk.Text));
        Assert.Equal(["a0\na1\n", "b0\n", "a2\n"], (await Store.ReadLogsAsync(new LogQuery { Uid = "u", TaskRun = "t1" }, Ct)).Select(c => c.Chunk.Text));
        Assert.Equal(["a0\na1\n", "a2\n"], (await Store.ReadLogsAsync(new LogQuery { Uid = "u", TaskRun = "t1", Container = "step-a" }, Ct)).Select(c => c.Chunk.Text));
        Assert.Equal(["a0\na1\n", "b0\n"], (await Store.ReadLogsAsync(new LogQuery { Uid = "u", Limit = 2 }, Ct)).Select(c => c.Chunk.Text));
    }

    [Fact(Timeout = 60000)]
    public async Task DeleteLogsAsync_OneContainerOfOneAttempt_LeavesTheRest()
    {
        await Store.AppendLogsAsync(
        [
            Chunk("u", "t1", "step-a", 0, "old\n"),
            Chunk("u", "t1", "step-a", 0, "attempt 1\n", attempt: 1),
            Chunk("u", "t1", "step-b", 0, "b\n"),
            Chunk("u", "t2", "step-a", 0, "t2\n"),
        ], Ct);
        await Store.DeleteLogsAsync("u", "t1", 0, "step-a", Ct);
        Assert.Equal(["attempt 1\n", "b\n", "t2\n"], (await Store.ReadLogsAsync(new LogQuery { Uid = "u" }, Ct)).Select(c => c.Chunk.Text));
    }

    [Fact(Timeout = 60000)]
    public async Task ListEventsAsync_SeveralRuns_ReturnsTheRunsEventsInTimeOrder()
    {
        await Store.AddEventAsync(new RunEvent("u", Start.AddSeconds(2), "Warning", "Failed", "step failed"), Ct);
        await Store.AddEventAsync(new RunEvent("u", Start.AddSeconds(1), "Normal", "Started", "started"), Ct);
        await Store.AddEventAsync(new RunEvent("v", Start, "Normal", "Started", "other"), Ct);
        Assert.Equal(
            [new RunEvent("u", Start.AddSeconds(1), "Normal", "Started", "started"), new RunEvent("u", Start.AddSeconds(2), "Warning", "Failed", "step failed")],
            await Store.ListEventsAsync("u", Ct));
    }

    [Fact(Timeout = 60000)]
    public async Task ListAuditAsync_Limit_NewestFirst()
    {
        await Store.AddAuditAsync(new AuditRecord(Start.AddSeconds(1), "alice", "login", "User", "alice", null, "web"), Ct);
        await Store.AddAuditAsync(new AuditRecord(Start.AddSeconds(3), "bob", "login", "User", "bob", "u1", ""), Ct);
        await Store.AddAuditAsync(new AuditRecord(Start.AddSeconds(2), "carol", "login", "User", "carol", null, ""), Ct);
        Assert.Equal(
            [new AuditRecord(Start.AddSeconds(3), "bob", "login", "User", "bob", "u1", ""), new AuditRecord(Start.AddSeconds(2), "carol", "login", "User", "carol", null, "")],
            await Store.ListAuditAsync(2, Ct));
    }

    // ---- Retention -------------------------------------------------------------------------------

    /// <summary>A policy with <paramref name="rule"/> for every pipeline; runs succeed with status <c>True</c> and fail with <c>False</c>.</summary>
    private static RetentionPolicy Policy(RetentionRule rule) => new() { SucceededStatus = "True", FailedStatus = "False", Default = rule };

    /// <summary>Prunes and returns the names it reports, checking they are gone (or kept on a dry run) with everything they had.</summary>
    private async Task<List<string>> PruneAsync(RetentionPolicy policy, bool dryRun = false)
    {
        var before = (await Store.ListRunsAsync(new RunQuery { Limit = 500 }, Ct)).Items.Select(r => r.Uid).ToList();
        foreach (var uid in before)
        {
            await Store.AppendLogsAsync([Chunk(uid, "t", "step", 0, "line\n"), Chunk(uid, "t", "step", 1, "line\n")], Ct);
            await Store.AddEventAsync(new RunEvent(uid, Start, "Normal", "Started", ""), Ct);
        }

        var result = await Store.PruneAsync(policy, Time.GetUtcNow(), dryRun, Ct);
        var pruned = result.Runs.Select(r => r.Uid).ToHashSet();
        Assert.Equal(2 * pruned.Count, result.LogChunks);
        foreach (var uid in before)
        {
            var gone = pruned.Contains(uid) && !dryRun;
            Assert.Equal(gone, await Store.GetRunByUidAsync(uid, Ct) is null);
            Assert.Equal(gone ? 0 : 2, (await Store.ReadLogsAsync(new LogQuery { Uid = uid }, Ct)).Count);
            Assert.Equal(gone ? 0 : 1, (await Store.ListEventsAsync(uid, Ct)).Count);
            Assert.Equal(gone ? 0 : 1, await CountRowsAsync("run_labels", uid, Ct));
            Assert.Equal(gone ? 0 : 1, await CountRowsAsync("run_manifests", uid, Ct));
            Assert.True(!gone || await CountRowsAsync("run_objects", uid, Ct) == 0, uid);
        }

        return result.Runs.Select(r => r.Name).Order(StringComparer.Ordinal).ToList();
    }

    private async Task CreatePipelineHistoryAsync()
    {
        // build: s1..s4 succeeded and f1..f3 failed, one a minute (s4 newest); deploy: two of each;
        // a running run and a TaskRun of the same pipeline name that are never counted with them.
        await CreateAsync(
            Finished("s1", "build", 1, ok: true), Finished("f1", "build", 2, ok: false), Finished("s2", "build", 3, ok: true),
            Finished("f2", "build", 4, ok: false), Finished("s3", "build", 5, ok: true), Finished("f3", "build", 6, ok: false),
            Finished("s4", "build", 7, ok: true),
            Finished("ds1", "deploy", 1, ok: true), Finished("df1", "deploy", 2, ok: false), Finished("ds2", "deploy", 3, ok: true), Finished("df2", "deploy", 4, ok: false),
            Run("running", "build", Start.AddMinutes(8), RunPhase.Running, labels: Labels(("team", "ci"))),
            Finished("task1", "build", 0, ok: true) with { Kind = "TaskRun", Uid = "uid-task1" });
        // Only "running" is claimable: finished runs never are.
        Assert.Equal(["running"], (await Store.ClaimRunsAsync("x", 100, TimeSpan.FromDays(1), Start, Ct)).Select(c => c.Run.Name));
        Assert.True(await Store.CommitTransitionAsync(Transition("uid-running", "x", 0) with { Object = "{}" }, Ct));
        Time.Advance(TimeSpan.FromHours(1));
    }

    [Fact(Timeout = 60000)]
    public async Task PruneAsync_KeepLast_DeletesOlderPerPipelineAndOutcome()
    {
        await CreatePipelineHistoryAsync();
        var pruned = await PruneAsync(Policy(new RetentionRule { KeepLast = 2 }));
        Assert.Equal(["f1", "s1", "s2"], pruned);
        Assert.NotNull(await Store.ReadJournalAsync("uid-running", Ct));
        Assert.Contains(await Store.ListAuditAsync(100, Ct), a => a is { Action: "prune", Actor: "retention", Name: "s1", Uid: "uid-s1" });
        Assert.Contains(await Store.ListAuditAsync(100, Ct), a => a is { Action: "create", Name: "s1" });
    }

    [Fact(Timeout = 60000)]
    public async Task PruneAsync_KeepLastFailed_CountsFailedRunsApart()
    {
        await CreatePipelineHistoryAsync();
        Assert.Equal(["df1", "f1", "f2"], await PruneAsync(Policy(new RetentionRule { KeepLastFailed = 1 })));
    }

    [Fact(Timeout = 60000)]
    public async Task PruneAsync_MaxAge_DeletesSuccessfulCompletedBefore()
    {
        await CreatePipelineHistoryAsync();
        // Runs complete a minute after creation (s1 at minute 2, f1 at 3, s2 at 4, f2 at 5, …) and
        // now is minute 60: a max age of 55.5 minutes deletes what completed before minute 4.5.
        var rule = new RetentionRule { MaxAge = TimeSpan.FromMinutes(55.5), FailedMaxAge = TimeSpan.FromDays(1) };
        Assert.Equal(["ds1", "ds2", "s1", "s2", "task1"], await PruneAsync(Policy(rule)));
    }

    [Fact(Timeout = 60000)]
    public async Task PruneAsync_FailedMaxAge_AppliesToFailedOnly()
    {
        await CreatePipelineHistoryAsync();
        Assert.Equal(["df1", "f1"], await PruneAsync(Policy(new RetentionRule { FailedMaxAge = TimeSpan.FromMinutes(55.5) })));
    }

    [Fact(Timeout = 60000)]
    public async Task PruneAsync_MaxAgeWithoutFailedMaxAge_AppliesToFailedToo()
    {
        await CreatePipelineHistoryAsync();
        Assert.Equal(["df1", "ds1", "ds2", "f1", "s1", "s2", "task1"], await PruneAsync(Policy(new RetentionRule { MaxAge = TimeSpan.FromMinutes(55.5) })));
    }

    [Fact(Timeout = 60000)]
    public async Task PruneAsync_PipelineRule_ReplacesDefaultForThatPipeline()
    {
        await CreatePipelineHistoryAsync();
        var policy = Policy(new RetentionRule { KeepLast = 1 }) with
        {
            Pipelines = ImmutableDictionary<string, RetentionRule>.Empty.Add("deploy", new RetentionRule { FailedMaxAge = TimeSpan.FromMinutes(56) }),
        };
        Assert.Equal(["df1", "f1", "f2", "s1", "s2", "s3"], await PruneAsync(policy));
    }

    [Fact(Timeout = 60000)]
    public async Task PruneAsync_DryRun_ReportsAndDeletesNothing()
    {
        await CreatePipelineHistoryAsync();
        Assert.Equal(["f1", "s1", "s2"], await PruneAsync(Policy(new RetentionRule { KeepLast = 2 }), dryRun: true));
        Assert.DoesNotContain(await Store.ListAuditAsync(100, Ct), a => a.Action == "prune");
    }

    [Fact(Timeout = 60000)]
    public async Task PruneAsync_NoRules_KeepsEverything()
    {
        await CreatePipelineHistoryAsync();
        Assert.Empty(await PruneAsync(Policy(new RetentionRule())));
    }

    [Fact(Timeout = 60000)]
    public async Task PruneAsync_OutcomeStatuses_AreThePolicys()
    {
        // Swapped, the statuses make the successful runs the failed ones: the store compares them, nothing more.
        await CreatePipelineHistoryAsync();
        var swapped = Policy(new RetentionRule { KeepLastFailed = 1 }) with { SucceededStatus = "False", FailedStatus = "True" };
        Assert.Equal(["ds1", "s1", "s2", "s3"], await PruneAsync(swapped));
    }

    [Fact(Timeout = 60000)]
    public async Task PruneAsync_FinishedWithNeitherStatus_IsKept()
    {
        await CreateAsync(Run("odd", "build", Start, RunPhase.Finished, status: "Unknown", reason: "Odd", labels: Labels(("team", "ci"))));
        Time.Advance(TimeSpan.FromHours(1));
        Assert.Empty(await PruneAsync(Policy(new RetentionRule { KeepLast = 0, MaxAge = TimeSpan.Zero })));
    }

    [Fact(Timeout = 120000)]
    public async Task PruneAsync_MoreThanOneBatch_DeletesAll()
    {
        var runs = Enumerable.Range(0, 1500).Select(i => Finished($"r{i:D4}", "bulk", i % 100, ok: i % 3 != 0)).ToArray();
        foreach (var chunk in runs.Chunk(100))
        {
            await Task.WhenAll(chunk.Select(r => Store.CreateRunAsync(r, "alice", Ct)));
        }

        var result = await Store.PruneAsync(Policy(new RetentionRule { KeepLast = 0 }), Time.GetUtcNow(), dryRun: false, Ct);
        Assert.Equal(1500, result.Runs.Count);
        Assert.Empty((await Store.ListRunsAsync(new RunQuery(), Ct)).Items);
    }
}

/// <summary>Compares runs field by field, labels by content.</summary>
internal sealed class RunComparer : IEqualityComparer<RunRecord?>
{
    public static readonly RunComparer Instance = new();

    public bool Equals(RunRecord? x, RunRecord? y) =>
        x is null || y is null ? x is null && y is null : x with { Labels = ImmutableSortedDictionary<string, string>.Empty } == y with { Labels = ImmutableSortedDictionary<string, string>.Empty } && x.Labels.SequenceEqual(y.Labels);

    public int GetHashCode(RunRecord? obj) => obj?.Uid.GetHashCode(StringComparison.Ordinal) ?? 0;
}
