namespace Mothership.Store.Tests;

/// <summary>Pull requests as their webhooks showed them: upserted by repository and number, read back whole.</summary>
public abstract partial class RunStoreContractTests
{
    private static PullRequestRecord PullRequest(int number, string body = "```release-note\nFixed it.\n```") => new()
    {
        Repository = "octo/hello",
        Number = number,
        Title = "Fix it",
        Body = body,
        Author = "alice",
        Labels = ["kind/bug", "release-note"],
        UpdatedAt = Start,
    };

    [Fact(Timeout = 60000)]
    public async Task UpsertPullRequestAsync_NewThenMerged_LastOneWinsEveryField()
    {
        await Store.UpsertPullRequestAsync(PullRequest(7), Ct);
        var merged = PullRequest(7, "```release-note\nFixed it, really.\n```") with
        {
            Title = "Fix it (really)",
            Labels = ["kind/feature", "release-note-action-required", "lgtm"],
            MergeCommitSha = new string('a', 40),
            MergedAt = Start.AddMinutes(3),
            UpdatedAt = Start.AddMinutes(3),
        };

        await Store.UpsertPullRequestAsync(merged, Ct);

        Assert.Equal(merged, await Store.GetPullRequestAsync("octo/hello", 7, Ct));
    }

    [Fact(Timeout = 60000)]
    public async Task GetPullRequestAsync_OtherNumberOrRepository_Null()
    {
        await Store.UpsertPullRequestAsync(PullRequest(7) with { Labels = [], Body = "" }, Ct);

        Assert.Equal(PullRequest(7) with { Labels = [], Body = "" }, await Store.GetPullRequestAsync("octo/hello", 7, Ct));
        Assert.Null(await Store.GetPullRequestAsync("octo/hello", 8, Ct));
        Assert.Null(await Store.GetPullRequestAsync("octo/other", 7, Ct));
    }
}
