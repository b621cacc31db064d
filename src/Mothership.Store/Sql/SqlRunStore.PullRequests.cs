using System.Text.Json;
using Dapper;

namespace Mothership.Store.Sql;

internal sealed partial class SqlRunStore
{
    public Task UpsertPullRequestAsync(PullRequestRecord pullRequest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pullRequest);
        ArgumentException.ThrowIfNullOrEmpty(pullRequest.Repository);
        return WriteAsync(async (c, tx) =>
        {
            // Both databases take INSERT … ON CONFLICT … DO UPDATE with excluded.*.
            await c.ExecuteAsync(Cmd("""
                INSERT INTO pull_requests (repository, number, title, body, author, labels, merge_sha, merged_at, updated_at)
                VALUES (@Repository, @number, @Title, @Body, @Author, @labels, @MergeCommitSha, @merged, @updated)
                ON CONFLICT (repository, number) DO UPDATE SET title = excluded.title, body = excluded.body, author = excluded.author,
                    labels = excluded.labels, merge_sha = excluded.merge_sha, merged_at = excluded.merged_at, updated_at = excluded.updated_at
                """,
                new
                {
                    pullRequest.Repository, number = (long)pullRequest.Number, pullRequest.Title, pullRequest.Body, pullRequest.Author,
                    labels = JsonSerializer.Serialize(pullRequest.Labels), pullRequest.MergeCommitSha,
                    merged = pullRequest.MergedAt is { } m ? UnixMicros.From(m) : (long?)null, updated = UnixMicros.From(pullRequest.UpdatedAt),
                }, tx, cancellationToken)).ConfigureAwait(false);
            return (true, true);
        }, cancellationToken);
    }

    public Task<PullRequestRecord?> GetPullRequestAsync(string repository, int number, CancellationToken cancellationToken) =>
        ReadAsync(async c => (await c.QuerySingleOrDefaultAsync<PullRequestRow>(Cmd("""
            SELECT repository AS Repository, number AS Number, title AS Title, body AS Body, author AS Author, labels AS Labels,
                merge_sha AS MergeSha, merged_at AS MergedAt, updated_at AS UpdatedAt
            FROM pull_requests WHERE repository = @repository AND number = @number
            """, new { repository, number = (long)number }, null, cancellationToken)).ConfigureAwait(false))?.ToRecord(), cancellationToken);

    private sealed class PullRequestRow
    {
        public string Repository { get; set; } = "";

        public long Number { get; set; }

        public string Title { get; set; } = "";

        public string Body { get; set; } = "";

        public string Author { get; set; } = "";

        public string Labels { get; set; } = "[]";

        public string? MergeSha { get; set; }

        public long? MergedAt { get; set; }

        public long UpdatedAt { get; set; }

        public PullRequestRecord ToRecord() => new()
        {
            Repository = Repository,
            Number = (int)Number,
            Title = Title,
            Body = Body,
            Author = Author,
            Labels = JsonSerializer.Deserialize<string[]>(Labels) ?? [],
            MergeCommitSha = MergeSha,
            MergedAt = MergedAt is { } m ? UnixMicros.To(m) : null,
            UpdatedAt = UnixMicros.To(UpdatedAt),
        };
    }
}
