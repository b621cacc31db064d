using Mothership.Engine.Execution;
using Mothership.Executors.Local.Credentials;
using static Mothership.Executors.Local.Tests.TaskRequests;

namespace Mothership.Executors.Local.Tests.Credentials;

public sealed class CredentialInitializerTests : IDisposable
{
    private const string Account = """
        apiVersion: tekton.dev/v1
        kind: Task
        metadata: {name: t}
        spec:
          steps:
            - {name: s, script: ls}
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: builder}
        secrets: [{name: deploy-key}, {name: registry}]
        ---
        apiVersion: v1
        kind: Secret
        type: kubernetes.io/ssh-auth
        metadata:
          name: deploy-key
          annotations: {tekton.dev/git-0: "git.example.org"}
        stringData: {ssh-privatekey: "KEY-MATERIAL"}
        ---
        apiVersion: v1
        kind: Secret
        type: kubernetes.io/basic-auth
        metadata:
          name: registry
          annotations: {tekton.dev/docker-0: "https://registry.example.org"}
        stringData: {username: robot, password: hunter2}
        """;

    private readonly TempDirectory _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public void Write_AccountWithGitAndDockerSecrets_TheEngineFilesInHomePrivateOnesOwnerOnly()
    {
        var request = Request(Account) with { ServiceAccountName = "builder" };
        var expected = CredentialFiles.Build(request, out _, out _)!.Value;

        CredentialInitializer.Write(_home.Path, request, new SecretMasker());

        Assert.NotEmpty(expected);
        Assert.All(expected, f =>
        {
            var path = Path.Combine(_home.Path, f.Path);
            Assert.Equal(f.Content, File.ReadAllText(path));
            if (f.Private)
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }
        });
        Assert.Contains(expected, f => f.Private);
        Assert.Equal(expected.Length, Directory.EnumerateFiles(_home.Path, "*", SearchOption.AllDirectories).Count());
    }

    [Fact]
    public void Write_AccountSecrets_ValuesMasked()
    {
        var masker = new SecretMasker();

        CredentialInitializer.Write(_home.Path, Request(Account) with { ServiceAccountName = "builder" }, masker);

        Assert.Equal("key=*** password=***", masker.Mask("key=KEY-MATERIAL password=hunter2"));
    }

    [Fact]
    public void Write_NoAccount_NothingWritten()
    {
        CredentialInitializer.Write(_home.Path, Request(Account), new SecretMasker());

        Assert.Empty(Directory.EnumerateFileSystemEntries(_home.Path));
    }

    [Fact]
    public void Write_AccountNamesAnUndefinedSecret_FailsWithTheEnginesMessage()
    {
        var request = Request(Account.Replace("{name: registry}", "{name: gone}", StringComparison.Ordinal)) with { ServiceAccountName = "builder" };

        var e = Assert.Throws<AttemptFailure>(() => CredentialInitializer.Write(_home.Path, request, new SecretMasker()));

        Assert.Equal("ServiceAccount \"builder\" names Secret \"gone\", which is not defined in the files given", e.Message);
    }
}
