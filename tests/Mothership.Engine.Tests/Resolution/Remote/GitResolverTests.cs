using System.Collections.Immutable;
using System.Diagnostics;
using Mothership.Engine.Resolution.Remote;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Tests.Resolution.Remote;

/// <summary>The git resolver against a real repository on disk (file:// URLs), its cache in a scratch folder.</summary>
public sealed class GitResolverTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mship-git-resolver-" + Guid.NewGuid().ToString("N"));
    private readonly GitResolver _resolver;
    private readonly IResolutionSecrets _noSecrets = new ResourceSetSecrets(new ResourceSet());

    public GitResolverTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "repo"));
        _resolver = new GitResolver(new RemoteResolverOptions { CacheDirectory = Path.Combine(_root, "cache") });
    }

    private string Url => "file://" + Path.Combine(_root, "repo");

    private async Task<string> CommitAsync(string text)
    {
        var repo = Path.Combine(_root, "repo");
        if (!Directory.Exists(Path.Combine(repo, ".git")))
        {
            await GitAsync(repo, "init", "-q", "-b", "main");
        }

        Directory.CreateDirectory(Path.Combine(repo, "task"));
        await File.WriteAllTextAsync(Path.Combine(repo, "task", "t.yaml"), text);
        await GitAsync(repo, "add", "-A");
        await GitAsync(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", text);
        return (await GitAsync(repo, "rev-parse", "HEAD")).Trim();
    }

    private static Task<string> GitAsync(string directory, params string[] args) => GitCommand.RunAsync(directory, args);

    private ResolutionRequest Request(string revision, string url) => new()
    {
        Resolver = "git",
        Kind = "Task",
        Params = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string> { ["url"] = url, ["revision"] = revision, ["pathInRepo"] = "/task/t.yaml" }),
    };

    [Fact(Timeout = 60_000)]
    public async Task ResolveAsync_Branch_ReadsTheFileAtItsCommit()
    {
        var commit = await CommitAsync("one");
        var document = await _resolver.ResolveAsync(Request("main", Url), _noSecrets, TestContext.Current.CancellationToken);
        Assert.Equal("one", document.Text);
        Assert.Equal($"git:{Url}@{commit}:task/t.yaml", document.Source);
    }

    [Fact(Timeout = 60_000)]
    public async Task ResolveAsync_BranchMoved_IsAskedOfTheRemoteAgain()
    {
        await CommitAsync("one");
        await _resolver.ResolveAsync(Request("main", Url), _noSecrets, TestContext.Current.CancellationToken);
        await CommitAsync("two");
        var document = await _resolver.ResolveAsync(Request("main", Url), _noSecrets, TestContext.Current.CancellationToken);
        Assert.Equal("two", document.Text);
    }

    [Fact(Timeout = 60_000)]
    public async Task ResolveAsync_FullCommitAlreadyFetched_NeedsNoNetwork()
    {
        var commit = await CommitAsync("one");
        await _resolver.ResolveAsync(Request("main", Url), _noSecrets, TestContext.Current.CancellationToken);
        Directory.Delete(Path.Combine(_root, "repo"), recursive: true);
        var document = await _resolver.ResolveAsync(Request(commit, Url), _noSecrets, TestContext.Current.CancellationToken);
        Assert.Equal("one", document.Text);
    }

    [Fact(Timeout = 60_000)]
    public async Task ResolveAsync_UnknownBranch_SaysSo()
    {
        await CommitAsync("one");
        var e = await Assert.ThrowsAsync<RemoteResolutionException>(() => _resolver.ResolveAsync(Request("nope", Url), _noSecrets, TestContext.Current.CancellationToken));
        Assert.Contains("no branch or tag 'nope'", e.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task ResolveAsync_TokenSecretMissing_NamesTheSecretNotAToken()
    {
        var request = Request("main", Url);
        request = request with { Params = request.Params.Add("gitToken", "absent") };
        var e = await Assert.ThrowsAsync<RemoteResolutionException>(() => _resolver.ResolveAsync(request, _noSecrets, TestContext.Current.CancellationToken));
        Assert.Equal("Secret 'absent' (param 'gitToken') is not defined", e.Message);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
