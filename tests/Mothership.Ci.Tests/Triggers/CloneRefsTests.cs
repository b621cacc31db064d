using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Mothership.Ci.Jobs;
using Mothership.Ci.Triggers;
using Mothership.Model.Tekton;
using Mothership.Testing;

namespace Mothership.Ci.Tests.Triggers;

/// <summary>The clonerefs step run by the host's sh and git, against a listener that records what git sends and answers 401.</summary>
public sealed class CloneRefsTests : IDisposable
{
    private const string Token = "ghp_SECRETSECRETSECRETSECRETSECRETSECRET";
    private const string Base = "1234567890abcdef1234567890abcdef12345678";
    private const string Head = "abcdefabcdefabcdefabcdefabcdefabcdefabcd";

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mship-clonerefs-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact(Timeout = 60_000)]
    public async Task Step_CredentialsForTheForgesHost_GitSendsTheTokenAsBasicAuthAndNeverPrintsOrStoresIt()
    {
        using var forge = new RecordingListener();
        var (credentials, secret) = CloneCredentials.For("unit-0123456789", forge.Url + "Codertocat/Hello-World.git", "127.0.0.1", Token)!.Value;

        var run = await RunAsync(Refs(forge.Url + "Codertocat/Hello-World.git"), credentials, secret);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("x-access-token:" + Token)), forge.Authorization);
        Assert.DoesNotContain(Token, run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(secret.Data[CloneCredentials.AuthorizationKey], run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(secret.Data[CloneCredentials.AuthorizationKey], await File.ReadAllTextAsync(Path.Combine(_dir.FullName, "src", ".git", "config"), Ct), StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Step_CredentialsScopedToAnotherHost_GitSendsNothing()
    {
        using var forge = new RecordingListener();
        var (credentials, secret) = CloneCredentials.For("unit-0123456789", "https://github.com/Codertocat/Hello-World.git", "github.com", Token)!.Value;

        var run = await RunAsync(Refs(forge.Url + "Codertocat/Hello-World.git"), credentials, secret);

        Assert.NotEqual(0, run.ExitCode);
        Assert.True(forge.Requests > 0, run.Output);
        Assert.Null(forge.Authorization);
    }

    [Fact(Timeout = 60_000)]
    public async Task Step_PullsNotNumberAndSha_StopsBeforeFetchingThem()
    {
        var bare = Path.Combine(_dir.FullName, "hello.git");
        var work = Path.Combine(_dir.FullName, "work");
        GitCommand.Run(_dir.FullName, "init", "-q", "--bare", "-b", "master", bare);
        GitCommand.Run(_dir.FullName, "init", "-q", "-b", "master", work);
        await File.WriteAllTextAsync(Path.Combine(work, "a.txt"), "a\n", Ct);
        GitCommand.Run(work, "add", ".");
        GitCommand.Run(work, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "a");
        GitCommand.Run(work, "push", "-q", bare, "master");
        var baseSha = GitCommand.Run(work, "rev-parse", "HEAD").Trim();
        var refs = new JobRefs("o", "r", "master", baseSha, "file://" + bare, "") { Pulls = [new PullRef(1, "a", "*;touch pwned", "b", "t")] };

        var run = await RunAsync(refs, null, null);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("not a pull request NUMBER:SHA", run.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir.FullName, "src", "pwned")));
    }

    [Theory]
    [InlineData("https://github.com/o/r.git", "github.com", "https://github.com/")]
    [InlineData("https://GitHub.com/o/r.git", "github.com", "https://github.com/")]
    [InlineData("https://ghe.example.com:8443/o/r.git", "ghe.example.com", "https://ghe.example.com:8443/")]
    [InlineData("https://evil.example.com/o/r.git", "github.com", null)]
    [InlineData("https://github.com.evil.example.com/o/r.git", "github.com", null)]
    [InlineData("https://user@github.com/o/r.git", "github.com", null)]
    [InlineData("file:///srv/git/r.git", "github.com", null)]
    [InlineData("git@github.com:o/r.git", "github.com", null)]
    public void For_CloneUri_CredentialsOnlyForTheForgesHost(string cloneUri, string host, string? url) =>
        Assert.Equal(url, CloneCredentials.For("run", cloneUri, host, Token)?.Credentials.Url);

    [Fact]
    public void Build_WithCredentials_TheStepReadsTheSecretAndTheSpecHoldsNoToken()
    {
        var job = new Presubmit
        {
            Name = "unit",
            Trigger = "",
            RerunCommand = "/test unit",
            Context = "unit",
            PodSpec = new TaskRunSpec { TaskSpec = new TaskSpec { Steps = [new Step { Name = "test", Image = "alpine", Script = "make" }] } },
        };
        var (credentials, secret) = CloneCredentials.For("unit-0123456789", "https://github.com/o/r.git", "github.com", Token)!.Value;
        var request = new JobRequest { Type = JobTypes.Presubmit, Job = job, Refs = Refs("https://github.com/o/r.git"), RunName = "unit-0123456789", BuildId = "1" };

        var run = Assert.IsType<TaskRun>(JobRunBuilder.Build(request, CloneRefs.DefaultImage, null, credentials));

        var env = run.Spec.TaskSpec!.Steps[0].Env;
        Assert.Equal(new KeyRef("unit-0123456789-clone", CloneCredentials.AuthorizationKey, false), env.Single(e => e.Name == "CLONE_AUTHORIZATION").SecretKeyRef);
        Assert.Equal("https://github.com/", env.Single(e => e.Name == "CLONE_AUTH_URL").Value);
        Assert.DoesNotContain(run.Spec.TaskSpec.Steps.Skip(1).SelectMany(s => s.Env), e => e.SecretKeyRef is not null);
        Assert.DoesNotContain(secret.Data.Values.Single(), System.Text.Json.JsonSerializer.Serialize(run), StringComparison.Ordinal);
        Assert.Equal(("Secret", "unit-0123456789-clone"), (secret.Kind, secret.Metadata.Name));
    }

    private static JobRefs Refs(string cloneUri) =>
        new("Codertocat", "Hello-World", "master", Base, cloneUri, "https://github.com/Codertocat/Hello-World") { Pulls = [new PullRef(1, "a", Head, "b", "t")] };

    /// <summary>Runs the step's script with sh, its env given (the Secret's value where it refers to it), in a fresh home.</summary>
    private async Task<(int ExitCode, string Output)> RunAsync(JobRefs refs, CloneCredentials? credentials, DataObject? secret)
    {
        var step = CloneRefs.Step(refs, CloneRefs.DefaultImage, credentials);
        var script = Path.Combine(_dir.FullName, "clonerefs.sh");
        await File.WriteAllTextAsync(script, step.Script!.Replace("$(workspaces.source.path)", Path.Combine(_dir.FullName, "src"), StringComparison.Ordinal), Ct);
        var start = new ProcessStartInfo("sh", [script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["HOME"] = _dir.FullName;
        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        foreach (var e in step.Env)
        {
            start.Environment[e.Name] = e.SecretKeyRef is { } key ? secret!.Data[key.Key] : e.Value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var error = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return (process.ExitCode, await output + await error);
    }

    /// <summary>An HTTP server on 127.0.0.1 that answers everything 401, recording the first Authorization header.</summary>
    private sealed class RecordingListener : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly Task _serving;
        private int _requests;

        public RecordingListener()
        {
            _listener.Start();
            Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/";
            _serving = ServeAsync();
        }

        public string Url { get; }

        public string? Authorization { get; private set; }

        public int Requests => Volatile.Read(ref _requests);

        private async Task ServeAsync()
        {
            try
            {
                while (true)
                {
                    using var client = await _listener.AcceptTcpClientAsync();
                    var stream = client.GetStream();
                    var reader = new StreamReader(stream, Encoding.ASCII);
                    string? line;
                    while (!string.IsNullOrEmpty(line = await reader.ReadLineAsync()))
                    {
                        if (line.StartsWith("Authorization:", StringComparison.OrdinalIgnoreCase))
                        {
                            Authorization ??= line["Authorization:".Length..].Trim();
                        }
                    }

                    Interlocked.Increment(ref _requests);
                    var answer = Encoding.ASCII.GetBytes("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"git\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                    await stream.WriteAsync(answer);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
            {
                // Stopped.
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            _serving.Wait(TimeSpan.FromSeconds(5));
        }
    }
}
