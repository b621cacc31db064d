using Dapper;

namespace Mothership.Store.Sql;

internal sealed partial class SqlRunStore
{
    private const string ResourceColumns = "kind AS Kind, name AS Name, document AS Document, generation AS Generation, created_at AS CreatedAt, updated_at AS UpdatedAt";

    public async Task<ApplyOutcome> ApplyResourceAsync(StoredResource resource, string actor, CancellationToken cancellationToken)
    {
        // A concurrent first apply of the same name makes our insert do nothing: the second
        // attempt then sees the row and updates it.
        for (var attempt = 0; ; attempt++)
        {
            var outcome = await WriteAsync<ApplyOutcome?>(async (c, tx) =>
            {
                var now = UnixMicros.From(time.GetUtcNow());
                var existing = await c.QuerySingleOrDefaultAsync<ResourceRow>(Cmd(
                    $"SELECT {ResourceColumns} FROM resources WHERE kind = @Kind AND name = @Name{dialect.ForUpdate}",
                    new { resource.Kind, resource.Name }, tx, cancellationToken)).ConfigureAwait(false);
                ApplyOutcome result;
                if (existing is null)
                {
                    var inserted = await c.ExecuteAsync(Cmd(
                        "INSERT INTO resources (kind, name, document, generation, created_at, updated_at) VALUES (@Kind, @Name, @Document, 1, @now, @now) ON CONFLICT DO NOTHING",
                        new { resource.Kind, resource.Name, resource.Document, now }, tx, cancellationToken)).ConfigureAwait(false);
                    if (inserted == 0)
                    {
                        return (null, false);
                    }

                    result = ApplyOutcome.Created;
                }
                else if (existing.Document == resource.Document)
                {
                    return (ApplyOutcome.Unchanged, false);
                }
                else
                {
                    await c.ExecuteAsync(Cmd(
                        "UPDATE resources SET document = @Document, generation = generation + 1, updated_at = @now WHERE kind = @Kind AND name = @Name",
                        new { resource.Kind, resource.Name, resource.Document, now }, tx, cancellationToken)).ConfigureAwait(false);
                    result = ApplyOutcome.Configured;
                }

                await c.ExecuteAsync(Cmd(InsertAudit, Audit(actor, "apply", resource.Kind, resource.Name, null, result == ApplyOutcome.Created ? "created" : "configured"), tx, cancellationToken)).ConfigureAwait(false);
                return (result, true);
            }, cancellationToken).ConfigureAwait(false);
            if (outcome is { } done)
            {
                return done;
            }

            if (attempt > 0)
            {
                throw new InvalidOperationException($"{resource.Kind}/{resource.Name} was created and deleted concurrently twice; apply again");
            }
        }
    }

    public Task<StoredResource?> GetResourceAsync(string kind, string name, CancellationToken cancellationToken) =>
        ReadAsync(async c => (await c.QuerySingleOrDefaultAsync<ResourceRow>(Cmd(
            $"SELECT {ResourceColumns} FROM resources WHERE kind = @kind AND name = @name",
            new { kind, name }, null, cancellationToken)).ConfigureAwait(false))?.ToResource(), cancellationToken);

    public Task<IReadOnlyList<StoredResource>> ListResourcesAsync(string kind, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<StoredResource>>(async c => (await c.QueryAsync<ResourceRow>(Cmd(
            $"SELECT {ResourceColumns} FROM resources WHERE kind = @kind ORDER BY name",
            new { kind }, null, cancellationToken)).ConfigureAwait(false)).Select(r => r.ToResource()).ToList(), cancellationToken);

    public Task<bool> DeleteResourceAsync(string kind, string name, string actor, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx) =>
        {
            var deleted = await c.ExecuteAsync(Cmd("DELETE FROM resources WHERE kind = @kind AND name = @name", new { kind, name }, tx, cancellationToken)).ConfigureAwait(false);
            if (deleted == 0)
            {
                return (false, false);
            }

            await c.ExecuteAsync(Cmd(InsertAudit, Audit(actor, "delete", kind, name, null, ""), tx, cancellationToken)).ConfigureAwait(false);
            return (true, true);
        }, cancellationToken);

    private sealed class ResourceRow
    {
        public string Kind { get; set; } = "";
        public string Name { get; set; } = "";
        public string Document { get; set; } = "";
        public long Generation { get; set; }
        public long CreatedAt { get; set; }
        public long UpdatedAt { get; set; }

        public StoredResource ToResource() => new()
        {
            Kind = Kind,
            Name = Name,
            Document = Document,
            Generation = Generation,
            CreatedAt = UnixMicros.To(CreatedAt),
            UpdatedAt = UnixMicros.To(UpdatedAt),
        };
    }
}
