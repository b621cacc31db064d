using Mothership.Ci.Releases;

namespace Mothership.Ci.Tests.Releases;

public sealed class MergeCommitsTests
{
    [Theory]
    [InlineData("Merge pull request #123 from alice/feature\n\nAdd it", 123)]
    [InlineData("Add a flag (#45)", 45)]
    [InlineData("Add a flag (#45)\r\n\r\n* one\n* two (#7)", 45)]
    [InlineData("Revert \"Add a flag (#45)\" (#46)", 46)]
    [InlineData("Fix a typo", null)]
    [InlineData("Merge branch 'main' into feature", null)]
    [InlineData("Mentions (#12) in the middle", null)]
    [InlineData("Fix\n\nsquashed (#12)", null)]
    [InlineData("Merge pull request #0 from x/y", null)]
    public void PullRequestOf_CommitMessage_NumberGitHubWrote(string message, int? expected) =>
        Assert.Equal(expected, MergeCommits.PullRequestOf(message));

    [Fact]
    public void InRange_MergeAndSquashCommits_FirstParentNewestFirst()
    {
        using var history = new ReleaseHistory();

        var merged = MergeCommits.InRange(history.Path, "v1.0.0", "main");

        Assert.Equal([5, 4, 3, 2, 1], merged.Select(m => m.Number));
        Assert.Equal(history.ToSha, merged[0].CommitSha);
        Assert.Empty(MergeCommits.InRange(history.Path, "main", "main"));
        Assert.Equal([1], MergeCommits.InRange(history.Path, history.FromSha, "main~5").Select(m => m.Number));
    }

    [Fact]
    public void InRange_UnknownRevision_NamesTheFlag()
    {
        using var history = new ReleaseHistory();

        var e = Assert.Throws<ReleaseRangeException>(() => MergeCommits.InRange(history.Path, "v9.9.9", "main"));

        Assert.Equal("--from: 'v9.9.9' is not a revision of the repository", e.Message);
        Assert.Contains("--to:", Assert.Throws<ReleaseRangeException>(() => MergeCommits.InRange(history.Path, "v1.0.0", "nope^{")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InRange_NotARepository_SaysSo()
    {
        var dir = Directory.CreateTempSubdirectory("mship-norepo-");
        try
        {
            var e = Assert.Throws<ReleaseRangeException>(() => MergeCommits.InRange(dir.FullName, "a", "b"));
            Assert.Equal($"{dir.FullName}: not a git repository", e.Message);
        }
        finally
        {
            dir.Delete();
        }
    }
}
