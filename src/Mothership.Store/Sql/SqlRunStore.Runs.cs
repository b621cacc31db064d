using System.Data.Common;
using System.Text;
using Dapper;

namespace Mothership.Store.Sql;

internal sealed partial class SqlRunStore
{
    public Task<bool> CreateRunAsync(RunRecord run, string actor, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx) =>
        {
            var inserted = await InsertRunAsync(c, tx, run, actor, cancellationToken).ConfigureAwait(false);
            return (inserted, inserted);
        }, cancellationToken);

    /// <summary>Inserts a run with its labels and audit record in the caller's transaction; false when its kind and name are taken.</summary>
    private async Task<bool> InsertRunAsync(DbConnection c, DbTransaction tx, RunRecord run, string actor,
        CancellationToken cancellationToken)
    {
        var inserted = await c.ExecuteAsync(Cmd("""
            INSERT INTO runs (uid, kind, name, pipeline, labels, phase, status, reason, created_at, started_at, completed_at,
                              cancel_request, created_by, owner, lease_expires_at, object_version)
            VALUES (@Uid, @Kind, @Name, @Pipeline, @Labels, @Phase, @Status, @Reason, @CreatedAt, @StartedAt, @CompletedAt,
                    @CancelRequest, @CreatedBy, @Owner, @LeaseExpiresAt, @ObjectVersion)
            ON CONFLICT DO NOTHING
            """, new
        {
            run.Uid,
            run.Kind,
            run.Name,
            run.Pipeline,
            Labels = SerializeLabels(run.Labels),
            Phase = run.Phase.ToString(),
            run.Status,
            run.Reason,
            CreatedAt = UnixMicros.From(run.CreatedAt),
            StartedAt = UnixMicros.From(run.StartedAt),
            CompletedAt = UnixMicros.From(run.CompletedAt),
            run.CancelRequest,
            run.CreatedBy,
            run.Owner,
            LeaseExpiresAt = UnixMicros.From(run.LeaseExpiresAt),
            ObjectVersion = run.Object is null ? 0L : 1L,
        }, tx, cancellationToken)).ConfigureAwait(false);
        if (inserted == 0)
        {
            return false;
        }

        // Documents, labels and audit record in one command: one round trip more, whatever the number of labels.
        var rest = new DynamicParameters(Audit(actor, "create", run.Kind, run.Name, run.Uid, ""));
        rest.Add("Manifest", run.Manifest);
        var sql = new StringBuilder("INSERT INTO run_manifests (uid, manifest) VALUES (@Uid, @Manifest); ");
        if (run.Object is { } runObject)
        {
            rest.Add("Object", runObject);
            sql.Append("INSERT INTO run_objects (uid, object) VALUES (@Uid, @Object); ");
        }

        if (!run.Labels.IsEmpty)
        {
            sql.Append("INSERT INTO run_labels (uid, key, value) VALUES ");
            var i = 0;
            foreach (var (key, value) in run.Labels)
            {
                sql.Append(i == 0 ? "" : ", ").Append($"(@Uid, @k{i}, @v{i})");
                rest.Add($"k{i}", key);
                rest.Add($"v{i}", value);
                i++;
            }

            sql.Append("; ");
        }

        await c.ExecuteAsync(Cmd(sql.Append(InsertAudit).ToString(), rest, tx, cancellationToken)).ConfigureAwait(false);
        return true;
    }

    public Task<RunRecord?> GetRunAsync(string kind, string name, CancellationToken cancellationToken) =>
        ReadAsync(async c => (await c.QuerySingleOrDefaultAsync<RunRow>(Cmd(
            $"SELECT {RunColumns} FROM runs WHERE kind = @kind AND name = @name", new { kind, name }, null, cancellationToken)).ConfigureAwait(false))?.ToRecord(), cancellationToken);

    public Task<RunRecord?> GetRunByUidAsync(string uid, CancellationToken cancellationToken) =>
        ReadAsync(async c => (await c.QuerySingleOrDefaultAsync<RunRow>(Cmd(
            $"SELECT {RunColumns} FROM runs WHERE uid = @uid", new { uid }, null, cancellationToken)).ConfigureAwait(false))?.ToRecord(), cancellationToken);

    public Task<RunSummary?> GetRunSummaryAsync(string uid, CancellationToken cancellationToken) =>
        ReadAsync(async c => (await c.QuerySingleOrDefaultAsync<RunRow>(Cmd(
            $"SELECT {SummaryColumns} FROM runs WHERE uid = @uid", new { uid }, null, cancellationToken)).ConfigureAwait(false))?.ToSummary(), cancellationToken);

    public Task<RunSummary?> GetRunSummaryAsync(string kind, string name, CancellationToken cancellationToken) =>
        ReadAsync(async c => (await c.QuerySingleOrDefaultAsync<RunRow>(Cmd(
            $"SELECT {SummaryColumns} FROM runs WHERE kind = @kind AND name = @name", new { kind, name }, null, cancellationToken)).ConfigureAwait(false))?.ToSummary(), cancellationToken);

    public Task<RunPage> ListRunsAsync(RunQuery query, CancellationToken cancellationToken)
    {
        if (query.Limit is < 1 or > 500)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.Limit, "RunQuery.Limit must be between 1 and 500");
        }

        var where = new List<string>();
        var parameters = new DynamicParameters();
        if (query.Kind is { } kind)
        {
            where.Add("kind = @kind");
            parameters.Add("kind", kind);
        }

        if (query.Pipeline is { } pipeline)
        {
            where.Add("pipeline = @pipeline");
            parameters.Add("pipeline", pipeline);
        }

        if (query.Phase is { } phase)
        {
            where.Add("phase = @phase");
            parameters.Add("phase", phase.ToString());
        }

        if (!query.Reasons.IsDefaultOrEmpty)
        {
            where.Add(dialect.InList("reason", "@reasons"));
            parameters.Add("reasons", dialect.ListValue(query.Reasons));
        }

        if (!query.Labels.IsDefaultOrEmpty)
        {
            for (var i = 0; i < query.Labels.Length; i++)
            {
                where.Add(LabelCondition(query.Labels[i], i, parameters));
            }
        }

        if (query.Since is { } since)
        {
            where.Add("created_at >= @since");
            parameters.Add("since", UnixMicros.From(since));
        }

        if (query.Until is { } until)
        {
            where.Add("created_at < @until");
            parameters.Add("until", UnixMicros.From(until));
        }

        if (query.Cursor is { } cursor)
        {
            var (cursorCreated, cursorUid) = DecodeCursor(cursor);
            where.Add("(created_at, uid) < (@cursorCreated, @cursorUid)");
            parameters.Add("cursorCreated", cursorCreated);
            parameters.Add("cursorUid", cursorUid);
        }

        parameters.Add("take", query.Limit + 1);
        var sql = $"SELECT {SummaryColumns} FROM runs{(where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", where))} ORDER BY created_at DESC, uid DESC LIMIT @take";
        return ReadAsync(async c =>
        {
            var rows = (await c.QueryAsync<RunRow>(Cmd(sql, parameters, null, cancellationToken)).ConfigureAwait(false)).ToList();
            string? next = null;
            if (rows.Count > query.Limit)
            {
                rows.RemoveAt(rows.Count - 1);
                next = EncodeCursor(rows[^1].CreatedAt, rows[^1].Uid);
            }

            return new RunPage(rows.Select(r => r.ToSummary()).ToList(), next);
        }, cancellationToken);
    }

    /// <summary>One requirement as SQL; "!=" and "notin" also match runs without the key, as in Kubernetes.</summary>
    private string LabelCondition(LabelRequirement requirement, int index, DynamicParameters parameters)
    {
        var values = requirement.Values.IsDefault ? [] : requirement.Values;
        var expected = requirement.Operator switch
        {
            LabelOperator.Equals or LabelOperator.NotEquals => values.Length == 1,
            LabelOperator.In or LabelOperator.NotIn => values.Length >= 1,
            _ => values.Length == 0,
        };
        if (!expected || requirement.Key.Length == 0)
        {
            throw new ArgumentException($"label requirement '{requirement.Key}' {requirement.Operator} has {values.Length} value(s): = and != take one, in and notin at least one, exists and !exists none", nameof(requirement));
        }

        var key = $"@labelKey{index}";
        var value = $"@labelValue{index}";
        parameters.Add(key[1..], requirement.Key);
        var match = $"SELECT 1 FROM run_labels l WHERE l.uid = runs.uid AND l.key = {key}";
        switch (requirement.Operator)
        {
            case LabelOperator.Equals or LabelOperator.NotEquals:
                parameters.Add(value[1..], values[0]);
                match += $" AND l.value = {value}";
                break;
            case LabelOperator.In or LabelOperator.NotIn:
                parameters.Add(value[1..], dialect.ListValue(values));
                match += " AND " + dialect.InList("l.value", value);
                break;
        }

        var negated = requirement.Operator is LabelOperator.NotEquals or LabelOperator.NotIn or LabelOperator.DoesNotExist;
        return $"{(negated ? "NOT " : "")}EXISTS ({match})";
    }

    private static string EncodeCursor(long createdAt, string uid) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{createdAt}:{uid}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static (long CreatedAt, string Uid) DecodeCursor(string cursor)
    {
        try
        {
            var base64 = cursor.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && long.TryParse(text.AsSpan(0, colon), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var created))
            {
                return (created, text[(colon + 1)..]);
            }
        }
        catch (FormatException)
        {
            // Reported below, like any other malformed cursor.
        }

        throw new ArgumentException("the cursor is not one this server returned (take it from the previous page's nextCursor)", nameof(cursor));
    }

    public Task<bool> CommitTransitionAsync(RunTransition transition, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx) =>
        {
            // The update comes first: it takes the row lock, so no claimer can take the run over
            // between the fence and the writes that follow. It changes the row only when something
            // in it changes (SQLite rewrites a whole row to change one column; most transitions are
            // a journal entry with the status as it was); the object has a table of its own
            // (migration 13) and is written after the fence.
            var parameters = new
            {
                transition.Uid,
                transition.Owner,
                Phase = transition.Phase.ToString(),
                transition.Status,
                transition.Reason,
                StartedAt = UnixMicros.From(transition.StartedAt),
                CompletedAt = UnixMicros.From(transition.CompletedAt),
                transition.Object,
            };
            var changes = transition.CancelHandled
                ? ""
                : """
                   AND (phase <> @Phase OR status <> @Status OR reason <> @Reason
                    OR (@StartedAt IS NOT NULL AND (started_at IS NULL OR started_at <> @StartedAt))
                    OR (@CompletedAt IS NOT NULL AND (completed_at IS NULL OR completed_at <> @CompletedAt)))
                  """;
            // runs_fence holds every column the WHERE reads: a commit that changes nothing is
            // decided from the index, without reading the row (see migration 12).
            var updated = await c.ExecuteAsync(Cmd($"""
                UPDATE runs{dialect.IndexedBy("runs_fence")} SET phase = @Phase, status = @Status, reason = @Reason,
                    started_at = COALESCE(@StartedAt, started_at), completed_at = COALESCE(@CompletedAt, completed_at){(transition.CancelHandled ? ", cancel_request = NULL" : "")}
                WHERE uid = @Uid AND owner = @Owner{changes}
                """, parameters, tx, cancellationToken)).ConfigureAwait(false);
            if (updated == 0 && (changes.Length == 0 || await c.ExecuteScalarAsync<int?>(Cmd(
                    $"SELECT 1 FROM runs{dialect.IndexedBy("runs_fence")} WHERE uid = @Uid AND owner = @Owner{dialect.ForUpdate}", parameters, tx, cancellationToken)).ConfigureAwait(false) is null))
            {
                // Fenced: another replica owns the run now.
                return (false, false);
            }

            for (var i = 0; i < transition.JournalEntries.Count; i++)
            {
                var inserted = await c.ExecuteAsync(Cmd(
                    "INSERT INTO journal (uid, seq, entry) VALUES (@Uid, @Seq, @Entry) ON CONFLICT DO NOTHING",
                    new { transition.Uid, Seq = transition.Seq + i, Entry = transition.JournalEntries[i] }, tx, cancellationToken)).ConfigureAwait(false);
                if (inserted == 0)
                {
                    return (false, false);
                }
            }

            if (transition.Object is not null)
            {
                await c.ExecuteAsync(Cmd(
                    """
                    INSERT INTO run_objects (uid, object) VALUES (@Uid, @Object) ON CONFLICT (uid) DO UPDATE SET object = excluded.object;
                    UPDATE runs SET object_version = object_version + 1 WHERE uid = @Uid
                    """,
                    parameters, tx, cancellationToken)).ConfigureAwait(false);
            }

            foreach (var e in transition.Events)
            {
                await c.ExecuteAsync(Cmd(InsertEvent, new { e.Uid, Time = UnixMicros.From(e.Time), e.Type, e.Reason, e.Message }, tx, cancellationToken)).ConfigureAwait(false);
            }

            return (true, true);
        }, cancellationToken);

    public Task<IReadOnlyList<JournalEntry>> ReadJournalAsync(string uid, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<JournalEntry>>(async c => (await c.QueryAsync<(long Seq, string Entry)>(Cmd(
            "SELECT seq, entry FROM journal WHERE uid = @uid ORDER BY seq", new { uid }, null, cancellationToken)).ConfigureAwait(false))
            .Select(r => new JournalEntry(r.Seq, r.Entry)).ToList(), cancellationToken);

    public Task<bool> RequestCancelAsync(string uid, string request, string actor, CancellationToken cancellationToken) =>
        UpdateWithAuditAsync(
            "UPDATE runs SET cancel_request = @request WHERE uid = @uid AND phase <> 'Finished' RETURNING kind AS Kind, name AS Name",
            new { uid, request }, uid, actor, "cancel", request, cancellationToken);

    public Task<bool> ReleasePendingAsync(string uid, string actor, CancellationToken cancellationToken) =>
        UpdateWithAuditAsync(
            "UPDATE runs SET phase = 'Queued' WHERE uid = @uid AND phase = 'Pending' RETURNING kind AS Kind, name AS Name",
            new { uid }, uid, actor, "start", "", cancellationToken);

    public Task<bool> DeleteRunAsync(string uid, string actor, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx) =>
        {
            var run = await c.QuerySingleOrDefaultAsync<KindName>(Cmd(
                $"SELECT kind AS Kind, name AS Name FROM runs WHERE uid = @uid{dialect.ForUpdate}", new { uid }, tx, cancellationToken)).ConfigureAwait(false);
            if (run is not { } found)
            {
                return (false, false);
            }

            // Labels, journal, manifest and object go with the run (ON DELETE CASCADE); logs and events have no foreign key.
            await c.ExecuteAsync(Cmd("DELETE FROM logs WHERE uid = @uid; DELETE FROM events WHERE uid = @uid; DELETE FROM runs WHERE uid = @uid", new { uid }, tx, cancellationToken)).ConfigureAwait(false);
            await c.ExecuteAsync(Cmd(InsertAudit, Audit(actor, "delete", found.Kind, found.Name, uid, ""), tx, cancellationToken)).ConfigureAwait(false);
            return (true, true);
        }, cancellationToken);

    public Task<IReadOnlyList<RunCount>> CountRunsAsync(CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<RunCount>>(async c => (await c.QueryAsync<(string Kind, string Phase, string Reason, long Count)>(Cmd(
            "SELECT kind, phase, reason, COUNT(*) FROM runs GROUP BY kind, phase, reason ORDER BY kind, phase, reason", null, null, cancellationToken)).ConfigureAwait(false))
            .Select(r => new RunCount(r.Kind, ParsePhase(r.Phase), r.Reason, r.Count)).ToList(), cancellationToken);

    private Task<bool> UpdateWithAuditAsync(string updateReturningKindAndName, object parameters, string uid, string actor, string action, string detail, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx) =>
        {
            var run = await c.QuerySingleOrDefaultAsync<KindName>(Cmd(updateReturningKindAndName, parameters, tx, cancellationToken)).ConfigureAwait(false);
            if (run is not { } found)
            {
                return (false, false);
            }

            await c.ExecuteAsync(Cmd(InsertAudit, Audit(actor, action, found.Kind, found.Name, uid, detail), tx, cancellationToken)).ConfigureAwait(false);
            return (true, true);
        }, cancellationToken);

    private sealed class KindName
    {
        public string Kind { get; set; } = "";
        public string Name { get; set; } = "";
    }
}
