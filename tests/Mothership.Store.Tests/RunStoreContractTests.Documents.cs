using Mothership.Store.Sql;

namespace Mothership.Store.Tests;

/// <summary>
/// A run's manifest and object in tables of their own (migration 13): the leases, cancel
/// requests and fences of existing runs survive the migration, and the documents go with their run.
/// </summary>
public abstract partial class RunStoreContractTests
{
    /// <summary>Runs <paramref name="sql"/> on <paramref name="database"/> past the store (a schema of an older version).</summary>
    protected abstract Task ExecuteSqlAsync(string database, string sql, CancellationToken cancellationToken);

    private static string OldRunRow(string name, string phase, string reason, string manifest, string? runObject, string? cancel, string? owner, DateTimeOffset? lease)
    {
        static string Text(string? value) => value is null ? "NULL" : $"'{value.Replace("'", "''", StringComparison.Ordinal)}'";
        var created = UnixMicros.From(Start);
        var leaseMicros = lease is { } l ? UnixMicros.From(l).ToString(System.Globalization.CultureInfo.InvariantCulture) : "NULL";
        return $"('uid-{name}', 'PipelineRun', {Text(name)}, 'build', '{{}}', {Text(phase)}, 'Unknown', {Text(reason)}, {created}, {created + 1_000_000}, NULL, "
            + $"{Text(manifest)}, {Text(runObject)}, {Text(cancel)}, 'alice', {Text(owner)}, {leaseMicros})";
    }

    [Fact(Timeout = 60000)]
    public async Task MigrateAsync_Version12WithLeasedRunsAndCancelRequest_KeepsLeasesRequestsDocumentsAndFences()
    {
        var database = await CreateDatabaseAsync(Ct);
        await using (var v12 = (SqlRunStore)RunStoreFactory.Open(database, Time))
        {
            await v12.MigrateAsync(12, Ct);
        }

        // As a version-12 server left them: "held" leased by a until a minute from now with a
        // cancel request pending, "expired" leased by b until a second ago, "queued" never claimed.
        const string entry = "'{\"e\":0}'";
        await ExecuteSqlAsync(database, $"""
            INSERT INTO runs (uid, kind, name, pipeline, labels, phase, status, reason, created_at, started_at, completed_at,
                              manifest, object, cancel_request, created_by, owner, lease_expires_at)
            VALUES {OldRunRow("held", "Running", "Running", "manifest: held", "{\"o\":\"held\"}", "Cancelled", "a", Start.AddMinutes(1))},
                   {OldRunRow("expired", "Running", "Running", "manifest: expired", "{\"o\":\"expired\"}", null, "b", Start.AddSeconds(-1))},
                   {OldRunRow("queued", "Queued", "", "manifest: queued", null, null, null, null)};
            INSERT INTO journal (uid, seq, entry) VALUES ('uid-held', 0, {entry});
            """, Ct);

        await using var store = RunStoreFactory.Open(database, Time);
        await store.MigrateAsync(Ct);

        var held = (await store.GetRunByUidAsync("uid-held", Ct))!;
        Assert.Equal(("manifest: held", "{\"o\":\"held\"}", "Cancelled", "a", Start.AddMinutes(1), RunPhase.Running),
            (held.Manifest, held.Object, held.CancelRequest, held.Owner, held.LeaseExpiresAt!.Value, held.Phase));
        // Migration 14: a run with an object has its first version, one without none.
        Assert.Equal((1L, 0L), (held.ObjectVersion, (await store.GetRunSummaryAsync("uid-queued", Ct))!.ObjectVersion));
        Assert.Equal([("uid-held", "Cancelled")], await store.ListCancelRequestsAsync("a", Ct));
        Assert.Empty(await store.ListCancelRequestsAsync("b", Ct));

        // The claim takes the expired lease and the queued run, never the held one.
        var claimed = await store.ClaimRunsAsync("c", 10, TimeSpan.FromMinutes(1), Time.GetUtcNow(), Ct);
        Assert.Equal(
            [("expired", "b", "manifest: expired", "{\"o\":\"expired\"}"), ("queued", null, "manifest: queued", null)],
            claimed.Select(c => (c.Run.Name, c.PreviousOwner, c.Run.Manifest, c.Run.Object)).OrderBy(c => c.Name, StringComparer.Ordinal));
        Assert.Equal(["uid-held"], await store.RenewLeasesAsync("a", ["uid-held", "uid-expired"], TimeSpan.FromMinutes(5), Time.GetUtcNow(), Ct));

        // Fenced by the owner as before; the old owner of the taken-over run is fenced off.
        Assert.False(await store.CommitTransitionAsync(Transition("uid-expired", "b", 0), Ct));
        Assert.False(await store.CommitTransitionAsync(Transition("uid-held", "c", 1), Ct));
        Assert.True(await store.CommitTransitionAsync(Transition("uid-held", "a", 1) with { CancelHandled = true }, Ct));
        held = (await store.GetRunByUidAsync("uid-held", Ct))!;
        Assert.Equal(("manifest: held", "{\"seq\":1}", (string?)null, Time.GetUtcNow().AddMinutes(5), 2L),
            (held.Manifest, held.Object, held.CancelRequest, held.LeaseExpiresAt!.Value, held.ObjectVersion));
        Assert.Equal([new JournalEntry(0, "{\"e\":0}"), new JournalEntry(1, "{}")], await store.ReadJournalAsync("uid-held", Ct));
        Assert.Empty(await store.ListCancelRequestsAsync("a", Ct));
    }

    [Fact(Timeout = 60000)]
    public async Task CommitTransitionAsync_ObjectThenNone_KeepsLatestObjectAndManifest()
    {
        var run = await ClaimedAsync("r");
        Assert.Null(run.Object);
        Assert.True(await Store.CommitTransitionAsync(Transition(run.Uid, "a", 0), Ct));
        Assert.True(await Store.CommitTransitionAsync(Transition(run.Uid, "a", 1), Ct));
        Assert.True(await Store.CommitTransitionAsync(Transition(run.Uid, "a", 2) with { Object = null }, Ct));
        Assert.False(await Store.CommitTransitionAsync(Transition(run.Uid, "b", 3) with { Object = "{\"fenced\":true}" }, Ct));
        Assert.False(await Store.CommitTransitionAsync(Transition(run.Uid, "a", 2) with { Object = "{\"duplicate\":true}" }, Ct));

        var stored = (await Store.GetRunByUidAsync(run.Uid, Ct))!;
        Assert.Equal((run.Manifest, "{\"seq\":1}"), (stored.Manifest, stored.Object));
        Assert.Equal(1, await CountRowsAsync("run_objects", run.Uid, Ct));
    }

    [Fact(Timeout = 60000)]
    public async Task CommitTransitionAsync_Objects_VersionCountsEachStoredObjectAndNothingElse()
    {
        var run = await ClaimedAsync("r");
        await CreateAsync(Run("given") with { Object = "{\"given\":true}" });
        Assert.Equal((0L, 1L), (run.ObjectVersion, (await Store.GetRunByUidAsync("uid-given", Ct))!.ObjectVersion));

        Assert.True(await Store.CommitTransitionAsync(Transition(run.Uid, "a", 0), Ct));
        Assert.True(await Store.CommitTransitionAsync(Transition(run.Uid, "a", 1) with { Object = null }, Ct));
        Assert.False(await Store.CommitTransitionAsync(Transition(run.Uid, "b", 2), Ct));
        Assert.False(await Store.CommitTransitionAsync(Transition(run.Uid, "a", 1), Ct));
        Assert.Equal(1, (await Store.GetRunSummaryAsync(run.Uid, Ct))!.ObjectVersion);
        Assert.True(await Store.CommitTransitionAsync(Transition(run.Uid, "a", 2, entry: null) with { Object = "{\"two\":true}" }, Ct));

        // The same number wherever the run is read: whole, summary by uid or by name, the list.
        var stored = (await Store.GetRunByUidAsync(run.Uid, Ct))!;
        Assert.Equal(("{\"two\":true}", 2L), (stored.Object, stored.ObjectVersion));
        Assert.Equal(2, (await Store.GetRunSummaryAsync("PipelineRun", "r", Ct))!.ObjectVersion);
        Assert.Equal(2, (await Store.GetRunAsync("PipelineRun", "r", Ct))!.ObjectVersion);
        Assert.Equal(2, (await Store.ListRunsAsync(new RunQuery(), Ct)).Items.Single(r => r.Name == "r").ObjectVersion);
        Assert.Null(await Store.GetRunSummaryAsync("TaskRun", "r", Ct));
    }

    [Fact(Timeout = 60000)]
    public async Task ReleaseOwnerAsync_HeldAndFinishedRuns_ReleasesUnfinishedOnlyAndStopsCancelDelivery()
    {
        await CreateAsync(Run("r1", created: Start.AddMinutes(1)), Run("r2", created: Start.AddMinutes(2)));
        Assert.Equal(2, (await Store.ClaimRunsAsync("a", 10, TimeSpan.FromMinutes(1), Time.GetUtcNow(), Ct)).Count);
        Assert.True(await Store.RequestCancelAsync("uid-r1", "Cancelled", "bob", Ct));
        Assert.True(await Store.CommitTransitionAsync(Transition("uid-r2", "a", 0) with { Phase = RunPhase.Finished, Status = "True", Reason = "Succeeded" }, Ct));
        Assert.Equal([("uid-r1", "Cancelled")], await Store.ListCancelRequestsAsync("a", Ct));

        Assert.Equal(1, await Store.ReleaseOwnerAsync("a", Ct));
        Assert.Empty(await Store.ListCancelRequestsAsync("a", Ct));
        Assert.Equal("a", (await Store.GetRunByUidAsync("uid-r2", Ct))!.Owner);
        var claimed = Assert.Single(await Store.ClaimRunsAsync("b", 10, TimeSpan.FromMinutes(1), Time.GetUtcNow(), Ct));
        Assert.Equal(("r1", "Cancelled"), (claimed.Run.Name, claimed.Run.CancelRequest));
        Assert.Equal([("uid-r1", "Cancelled")], await Store.ListCancelRequestsAsync("b", Ct));
    }
}
