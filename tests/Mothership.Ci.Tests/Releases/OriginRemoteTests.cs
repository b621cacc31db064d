namespace Mothership.Ci.Tests.Releases;

public sealed class OriginRemoteTests
{
    [Theory]
    [InlineData("https://github.com/octo/hello.git", "octo/hello")]
    [InlineData("https://github.com/octo/hello", "octo/hello")]
    [InlineData("git@github.com:octo/hello.git", "octo/hello")]
    [InlineData("ssh://git@ghe.example.com:2222/octo/hello.git", "octo/hello")]
    [InlineData("/srv/git/hello.git", null)]
    [InlineData("https://github.com/hello", null)]
    public void FromUrl_CloneUrl_OwnerAndName(string url, string? expected) =>
        Assert.Equal(expected, Mothership.Ci.Releases.OriginRemote.FromUrl(url)?.ToString());

    [Fact]
    public void RepositoryOf_CloneWithOrigin_ItsOwnerAndName()
    {
        using var history = new ReleaseHistory();
        Assert.Null(Mothership.Ci.Releases.OriginRemote.RepositoryOf(history.Path));
        using (var repo = new LibGit2Sharp.Repository(history.Path))
        {
            repo.Network.Remotes.Add("origin", "git@github.com:octo/hello.git");
        }

        Assert.Equal("octo/hello", Mothership.Ci.Releases.OriginRemote.RepositoryOf(history.Path)?.ToString());
    }
}
