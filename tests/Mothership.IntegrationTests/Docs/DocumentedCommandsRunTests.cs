using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Mothership.IntegrationTests.Docs;

/// <summary>
/// Runs every command of the docs' fenced shell blocks in a fresh directory holding a copy of
/// <c>examples/</c> and a <c>./mship</c> that is the built CLI, against a throwaway
/// <c>mship server</c> (SQLite in that directory) given as <c>$MSHIP_SERVER</c>. A synopsis runs
/// as its shortest call (<see cref="DocumentedCommand.Shortest"/>: optional parts dropped, the
/// first of <c>a|b</c>) with its placeholders filled in from <see cref="Placeholders"/>; a
/// placeholder the table lacks fails the test. A command must exit as its comment announces
/// (<c># → exit N</c>, else 0) and print what it says it prints (<c># → prints "…"</c>).
/// </summary>
public sealed partial class DocumentedCommandsRunTests : IAsyncDisposable
{
    /// <summary>
    /// Placeholders a command may hold, in the order they are filled in, and what they stand for
    /// here. The charts of <c>plan</c>, <c>render</c> and <c>export</c> come from
    /// <c>$MOTHERSHIP_CHARTS</c>, set to the fixtures' OpenStack-Helm charts.
    /// </summary>
    private static readonly (string Placeholder, Func<DocumentedCommandsRunTests, string> Value)[] Placeholders =
    [
        ("../shared/fixtures", _ => Fixtures.Location()),
        ("--service NAME", _ => "--service keystone"),
        ("FILE", _ => "examples/hello-pipeline.yaml"),
        ("DIR", _ => "examples/cloud"),
        ("SITE", _ => "dev-kr1"),
        // The run the block last created, as a reader takes the name `mship start` printed.
        ("NAME", t => t._lastRun ?? "NAME"),
    ];

    /// <summary>
    /// Commands that cannot run here, each with the reason; matched on the start of the command as
    /// written, after the environment assignments before it (<c>Mothership__X=… ./mship server</c>).
    /// </summary>
    private static readonly Dictionary<string, string> CannotRun = new(StringComparer.Ordinal)
    {
        ["./test"] = "it runs every suite, this one included",
        ["./mship server"] = "the test starts the server itself, on a free port, as $MSHIP_SERVER (a server with settings: IntegrationTests/Server/ServerSettingsTests, WebhookTests)",
        ["mship ci test"] = "needs a Prow job config and a git working tree with a base branch; IntegrationTests/Cli/CiTestCommandTests runs it on one",
        ["mship release-notes"] = "needs a git history of merged pull requests and GitHub or a server that knows them; IntegrationTests/Cli/ReleaseNotesCommandTests runs it on one",
        ["./mship deploy --repo DIR"] = "a deploy without --dry-run needs helm, kubectl and the site's cluster; the dry run at the top runs",
        ["./mship deploy --server"] = "needs a server with a site repository in git and helm; IntegrationTests/Cloud/ServerDeployTests runs it with stand-ins",
        ["./mship sites"] = "needs a server with a site repository in git; IntegrationTests/Cloud/ServerDeployTests runs it",
        ["./mship promote"] = "needs a server with a site repository in git and GitHub; IntegrationTests/Cloud/PromotionTests runs it against the fake GitHub",
        ["./mship rollout"] = "needs a server with a site repository in git whose cloud.yaml has a rollout policy, and helm; IntegrationTests/Cloud/RolloutTests runs every subcommand with stand-ins",
        ["./mship auth token"] = "personal tokens need a server with authentication (a token or OIDC); IntegrationTests/Server/IdentityTests runs them",
        ["docker "] = "no Docker engine runs on our machines",
        ["kubectl "] = "no Kubernetes cluster here",
        ["helm "] = "no Helm binary here",
        ["apt-get "] = "installs packages on the machine",
        ["sudo "] = "changes the machine",
    };

    private string? _lastRun;

    private readonly string _dir = Directory.CreateTempSubdirectory("mship-docs-").FullName;
    private ServerProcess? _server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }

    public static TheoryData<string> Documents()
    {
        var data = new TheoryData<string>();
        foreach (var f in DocumentedCommands.Files(Fixtures.RepositoryRoot()))
        {
            data.Add(f);
        }

        return data;
    }

    [Theory(Timeout = 300_000)]
    [MemberData(nameof(Documents))]
    public async Task ConcreteCommands_RunAsTheTextSays(string document)
    {
        var root = Fixtures.RepositoryRoot();
        var commands = Concrete(document, await File.ReadAllTextAsync(Path.Combine(root, document), Ct));
        await PrepareAsync(withServer: true);

        var (failures, ran) = await RunAsync(commands);

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
        TestContext.Current.SendDiagnosticMessage($"{document}: {ran} command(s) run");
    }

    /// <summary>
    /// The checker itself, on the real README changed in memory: an announced exit code or output
    /// that the command does not give, and a flag the command does not have, each fail it.
    /// </summary>
    [Fact(Timeout = 120_000)]
    public async Task ConcreteCommands_ReadmeChangedToContradictWhatHappens_EachChangeFails()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(Fixtures.RepositoryRoot(), "README.md"), Ct);
        string[] wrong =
        [
            "./mship validate -f examples/hello-pipeline.yaml    # → prints \"4 resource(s): valid\"",
            "./mship validate -f examples/no-such-file.yaml      # → exit 0",
            "./mship validate -f examples/hello-pipeline.yaml --no-such-flag",
        ];
        var changed = readme.Replace("./mship validate -f examples/hello-pipeline.yaml    # → prints \"3 resource(s): valid\"\n", wrong[0] + "\n" + wrong[2] + "\n", StringComparison.Ordinal)
            .Replace("./mship validate -f examples/no-such-file.yaml      # → exit 2\n", wrong[1] + "\n", StringComparison.Ordinal);
        Assert.NotEqual(readme, changed);
        var commands = Concrete("README.md", changed).Where(c => c.Text.StartsWith("./mship validate", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, commands.Count);
        await PrepareAsync(withServer: false);

        var (failures, _) = await RunAsync(commands);

        Assert.Equal(3, failures.Count);
        // The line of the first changed command, wherever README's edits put it.
        var line = readme[..readme.IndexOf("./mship validate -f examples/hello-pipeline.yaml    # → prints", StringComparison.Ordinal)].Count(c => c == '\n') + 1;
        Assert.StartsWith($"README.md:{line}: `./mship validate -f examples/hello-pipeline.yaml` did not print \"4 resource(s): valid\"", failures[0], StringComparison.Ordinal);
        Assert.StartsWith($"README.md:{line + 1}: `./mship validate -f examples/hello-pipeline.yaml --no-such-flag` exited 2, the text says 0", failures[1], StringComparison.Ordinal);
        Assert.StartsWith($"README.md:{line + 2}: `./mship validate -f examples/no-such-file.yaml` exited 2, the text says 0", failures[2], StringComparison.Ordinal);
    }

    /// <summary>The commands of <paramref name="markdown"/> that run: the fenced ones.</summary>
    private static List<DocumentedCommand> Concrete(string document, string markdown) =>
        [.. DocumentedCommands.Parse(document, markdown).Where(c => c.Fenced)];

    /// <summary>What runs for <paramref name="c"/>: a synopsis's shortest call, with the placeholders filled in.</summary>
    private string Runnable(DocumentedCommand c) =>
        Placeholders.Aggregate(c.IsSynopsis ? c.Shortest() : c.Text,
            (text, p) => Regex.Replace(text, $@"(?<!\w){Regex.Escape(p.Placeholder)}(?!\w)", _ => p.Value(this)));

    /// <summary>The fresh directory: a copy of <c>examples/</c>, <c>./mship</c> as the built CLI, and the throwaway server.</summary>
    private async Task PrepareAsync(bool withServer)
    {
        CopyDirectory(Path.Combine(Fixtures.RepositoryRoot(), "examples"), Path.Combine(_dir, "examples"));
        var shim = Path.Combine(_dir, "mship");
        await File.WriteAllTextAsync(shim, $"#!/bin/sh\nexec '{MshipProcess.Binary}' \"$@\"\n", Ct);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(shim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        if (withServer)
        {
            _server = await ServerProcess.StartAsync(Directory.CreateDirectory(Path.Combine(_dir, "server")).FullName, cancellationToken: Ct);
        }
    }

    /// <summary>Runs <paramref name="commands"/> in order (those that cannot run here skipped); what contradicted the text, and how many ran.</summary>
    private async Task<(List<string> Failures, int Ran)> RunAsync(IEnumerable<DocumentedCommand> commands)
    {
        var failures = new List<string>();
        var ran = 0;
        foreach (var c in commands)
        {
            var command = LeadingAssignments().Replace(c.Text, "");
            if (CannotRun.FirstOrDefault(x => command.StartsWith(x.Key, StringComparison.Ordinal)) is { Key: not null } skip)
            {
                TestContext.Current.SendDiagnosticMessage($"{c.File}:{c.Line}: not run ({skip.Value}): {c.Text}");
                continue;
            }

            var text = Runnable(c);
            if (UpperCaseWord().Match(text) is { Success: true } unfilled)
            {
                failures.Add($"{c.File}:{c.Line}: `{c.Text}`: no value for the placeholder {unfilled.Value}; add one to DocumentedCommandsRunTests.Placeholders");
                continue;
            }

            ran++;
            var (exit, output) = await ShellAsync(text);
            if (CreatedRun().Matches(output).LastOrDefault() is { } created)
            {
                _lastRun = created.Groups[1].Value;
            }

            if (exit != c.ExpectedExit)
            {
                failures.Add($"{c.File}:{c.Line}: `{text}` exited {exit}, the text says {c.ExpectedExit}:\n{Tail(output)}");
            }
            else if (c.ExpectedOutput is { } expected && !output.Contains(expected, StringComparison.Ordinal))
            {
                failures.Add($"{c.File}:{c.Line}: `{text}` did not print \"{expected}\":\n{Tail(output)}");
            }
        }

        return (failures, ran);
    }

    private async Task<(int Exit, string Output)> ShellAsync(string command)
    {
        var info = new ProcessStartInfo("bash", ["-c", command])
        {
            WorkingDirectory = _dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (_server is not null)
        {
            info.Environment["MSHIP_SERVER"] = _server.Url;
        }

        info.Environment["MOTHERSHIP_CHARTS"] = Path.Combine(Fixtures.Location(), "openstack-helm");
        // `mship …` as an installed CLI: the same built CLI as ./mship.
        info.Environment["PATH"] = _dir + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, "timed out after 2 minutes");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>A placeholder: an upper-case word, not a shell variable (<c>$PWD</c>, <c>${HOME}</c>).</summary>
    [GeneratedRegex(@"(?<![$\w{])[A-Z]{2,}\b")]
    private static partial Regex UpperCaseWord();

    [GeneratedRegex(@"^(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)+")]
    private static partial Regex LeadingAssignments();

    [GeneratedRegex(@"(?:pipelinerun|taskrun)\.tekton\.dev/([a-z0-9.-]+) created")]
    private static partial Regex CreatedRun();

    private static string Tail(string text) => text.Length > 3000 ? text[^3000..] : text;

    private static void CopyDirectory(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }
}
