using System.Collections.Concurrent;
using System.Reflection;
using System.Text.RegularExpressions;
using Mothership.Server.Hosting;

namespace Mothership.IntegrationTests.Docs;

/// <summary>
/// The documentation is what happens: every flag a command in README.md, deploy/README.md or
/// docs/ shows is an option of that command (asked of the built CLI's <c>--help</c>), every option
/// the CLI has is documented somewhere, and the <c>Mothership__…</c> settings named in the docs are
/// exactly the server's (<see cref="ServerOptions"/>). DocumentedCommandsRunTests runs
/// the commands themselves.
/// </summary>
public sealed class DocumentationTests
{
    private static readonly ConcurrentDictionary<string, HashSet<string>?> Help = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, List<string[]>> Groups = new(StringComparer.Ordinal);
    private static readonly SemaphoreSlim VerbsGate = new(1, 1);
    private static List<string>? KnownVerbs;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Root => Fixtures.RepositoryRoot();

    private static List<DocumentedCommand> All() =>
        [.. DocumentedCommands.Files(Root).SelectMany(f => DocumentedCommands.Parse(f, File.ReadAllText(Path.Combine(Root, f))))];

    private static string DocsText() => string.Join("\n", DocumentedCommands.Files(Root).Select(f => File.ReadAllText(Path.Combine(Root, f))));

    /// <summary>The verbs mship has, from its own help, and each verb's subcommands as <c>VERB SUB</c> (<c>ci test</c>).</summary>
    private static async Task<List<string>> VerbsAsync()
    {
        // Asked once per test run: each verb's help is a process of its own.
        await VerbsGate.WaitAsync(Ct);
        try
        {
            return KnownVerbs ??= await ReadVerbsAsync();
        }
        finally
        {
            VerbsGate.Release();
        }
    }

    private static async Task<List<string>> ReadVerbsAsync()
    {
        var verbs = SubcommandsOf((await MshipProcess.RunAsync(["--help"], cancellationToken: Ct)).Stdout);
        var all = new List<string>(verbs);
        foreach (var verb in verbs)
        {
            all.AddRange(SubcommandsOf((await MshipProcess.RunAsync([verb, "--help"], cancellationToken: Ct)).Stdout).Select(sub => verb + " " + sub));
        }

        return all;
    }

    private static List<string> SubcommandsOf(string help) =>
        [.. help.Split('\n').SkipWhile(l => !l.StartsWith("Commands:", StringComparison.Ordinal)).Skip(1)
            .Select(l => Regex.Match(l, @"^\s{2}([a-z-]+)")).Where(m => m.Success).Select(m => m.Groups[1].Value)];

    /// <summary>The options of <c>mship VERB</c> (or <c>mship VERB SUB</c>; of <c>mship</c> itself for null), or null when there is no such verb.</summary>
    private static async Task<HashSet<string>?> OptionsAsync(string? verb)
    {
        if (Help.TryGetValue(verb ?? "", out var known))
        {
            return known;
        }

        var verbs = await VerbsAsync();
        HashSet<string>? options = null;
        if (verb is null || verbs.Contains(verb))
        {
            var help = await MshipProcess.RunAsync(verb is null ? ["--help"] : [.. verb.Split(' '), "--help"], cancellationToken: Ct);
            options = DocumentedCommands.Options(help.Stdout);
            Groups[verb ?? ""] = DocumentedCommands.OptionGroups(help.Stdout);
        }

        return Help[verb ?? ""] = options;
    }

    [Fact(Timeout = 120_000)]
    public async Task DocumentedFlags_AreOptionsOfTheirCommand()
    {
        var commands = All();
        Assert.Contains(commands, c => c.Verb == "run");
        foreach (var verb in commands.Where(c => c.IsMship).Select(c => c.Verb).Concat(commands.Select(c => c.Subcommand).OfType<string>()).Distinct())
        {
            await OptionsAsync(verb);
        }

        var problems = DocumentedCommands.UnknownFlags(commands, v => Help.GetValueOrDefault(v ?? ""));

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact(Timeout = 120_000)]
    public async Task DocumentedFlags_AWrongFlagPutInTheReadme_IsCaughtAtItsLine()
    {
        // The check itself, on the real README changed in memory, against the real --help.
        var readme = await File.ReadAllTextAsync(Path.Combine(Root, "README.md"), Ct);
        const string Line = "./mship validate -f examples/hello-pipeline.yaml    # → prints \"3 resource(s): valid\"";
        var at = readme[..readme.IndexOf(Line, StringComparison.Ordinal)].Count(ch => ch == '\n') + 1;
        var commands = DocumentedCommands.Parse("README.md", readme.Replace(Line, Line.Replace(".yaml ", ".yaml --recursve ", StringComparison.Ordinal), StringComparison.Ordinal));
        foreach (var verb in commands.Where(c => c.IsMship).Select(c => c.Verb).Distinct())
        {
            await OptionsAsync(verb);
        }

        var before = DocumentedCommands.UnknownFlags(DocumentedCommands.Parse("README.md", readme), v => Help.GetValueOrDefault(v ?? ""));
        var problems = DocumentedCommands.UnknownFlags(commands, v => Help.GetValueOrDefault(v ?? ""));

        Assert.Equal([$"README.md:{at}: `./mship validate -f examples/hello-pipeline.yaml --recursve`: --recursve is not an option of mship validate"], problems.Except(before));
    }

    [Fact(Timeout = 120_000)]
    public async Task EveryOption_IsDocumented()
    {
        var text = DocsText();
        var missing = new List<string>();
        foreach (var verb in await VerbsAsync())
        {
            await OptionsAsync(verb);
            // An option is documented when the docs show any of its names (-f stands for --file).
            foreach (var aliases in Groups[verb].Where(g => !g.Contains("--help")))
            {
                if (!aliases.Any(a => Regex.IsMatch(text, $@"(?<![\w-]){Regex.Escape(a)}(?![\w-])")))
                {
                    missing.Add($"mship {verb} {string.Join(", ", aliases)}");
                }
            }
        }

        Assert.True(missing.Count == 0, "options no document mentions:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void Settings_DocumentedAreTheServersAndTheServersAreDocumented()
    {
        var (unknown, undocumented) = SettingProblems(DocsText());

        Assert.True(unknown.Count == 0, "documented settings the server does not have:\n" + string.Join("\n", unknown));
        Assert.True(undocumented.Count == 0, "server settings no document names (as Mothership__NAME or Mothership:NAME):\n" + string.Join("\n", undocumented));
    }

    [Fact]
    public void Settings_ASettingMisspeltInTheDocs_IsCaughtBothWays()
    {
        // The check itself, on the real docs changed in memory: the misspelt name is not the
        // server's, and the real one is then named nowhere.
        // Compared with what the docs as they are give, so this check stands apart from that one.
        var (unknownBefore, undocumentedBefore) = SettingProblems(DocsText());
        var (unknown, undocumented) = SettingProblems(DocsText().Replace("MaxActiveRuns", "MaxActiveRun", StringComparison.Ordinal));

        Assert.Equal(["MaxActiveRun"], unknown.Except(unknownBefore));
        Assert.Equal(["MaxActiveRuns"], undocumented.Except(undocumentedBefore));
    }

    /// <summary>The <c>Mothership__…</c> settings <paramref name="text"/> names that the server lacks, and the server's that it does not name.</summary>
    private static (List<string> Unknown, List<string> Undocumented) SettingProblems(string text)
    {
        var documented = Regex.Matches(text, @"Mothership(?:__|:)([A-Z][A-Za-z]*(?:(?:__|:)[A-Z][A-Za-z]*)*)")
            .Select(m => m.Groups[1].Value.Replace("__", ":", StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);
        var settings = Paths(typeof(ServerOptions), "").ToHashSet(StringComparer.Ordinal);

        // A documented path may stop at a section (Mothership__Retention) or name a key inside a free-keyed map.
        var unknown = documented.Where(d => !settings.Any(s => s == d || s.StartsWith(d + ":", StringComparison.Ordinal) || Matches(s, d))).Order().ToList();
        var undocumented = settings.Where(s => !documented.Any(d => d == s || Matches(s, d))).Order().ToList();
        return (unknown, undocumented);
    }

    [Fact]
    public void EnvironmentVariables_DocumentedAreReadAndReadAreDocumented()
    {
        var read = VariablesRead();

        Assert.NotEmpty(read);
        var (undocumented, unread) = VariableProblems(DocsText(), read);
        Assert.Equal([], undocumented);
        Assert.Equal([], unread);
    }

    [Fact]
    public void EnvironmentVariables_AVariableAddedToOrDroppedFromTheDocs_IsCaught()
    {
        // The check itself, on the real docs changed in memory.
        var text = DocsText();
        var read = VariablesRead();

        var (undocumentedBefore, unreadBefore) = VariableProblems(text, read);

        var (_, unread) = VariableProblems(text + "\nSet `MSHIP_NO_SUCH_VARIABLE=1` to …\n", read);
        var (undocumented, _) = VariableProblems(text.Replace("MSHIP_DEBUG", "MSHIP_DEBUGGING", StringComparison.Ordinal), read);

        Assert.Equal(["MSHIP_NO_SUCH_VARIABLE"], unread.Except(unreadBefore));
        Assert.Equal(["MSHIP_DEBUG"], undocumented.Except(undocumentedBefore));
    }

    /// <summary>mship's own variables (MSHIP_*, MOTHERSHIP_*) that the code reads.</summary>
    private static HashSet<string> VariablesRead() =>
        Directory.EnumerateFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            // Read through GetEnvironmentVariable, or through the reader RemoteResolverOptions is given.
            .SelectMany(f => Regex.Matches(File.ReadAllText(f), "(?:GetEnvironmentVariable|read)\\(\"((?:MSHIP|MOTHERSHIP)_[A-Z_]+)\"\\)").Select(m => m.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>The variables read but named in no document, and those named but read nowhere.</summary>
    private static (List<string> Undocumented, List<string> Unread) VariableProblems(string docs, HashSet<string> read)
    {
        var documented = Regex.Matches(docs, @"\b((?:MSHIP|MOTHERSHIP)_[A-Z_]+)\b").Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        // The test suites' own switches (documented for contributors, read by the tests), and the
        // variable mship sets for every step (MOTHERSHIP_ATTEMPT) rather than reads.
        var testSwitches = new HashSet<string>(StringComparer.Ordinal) { "MOTHERSHIP_FIXTURES", "MOTHERSHIP_CHROMIUM", "MSHIP_FUZZ_ITERATIONS", "MSHIP_FUZZ_SEED", "MOTHERSHIP_ATTEMPT" };
        return ([.. read.Except(documented).Order(StringComparer.Ordinal)], [.. documented.Except(read).Except(testSwitches).Order(StringComparer.Ordinal)]);
    }

    [Fact]
    public void RepositoryPaths_NamedInTheDocs_Exist()
    {
        // A path in backticks under one of the repository's top folders must be there (files move).
        var missing = new List<string>();
        // Not ours to hold: Tekton's own examples/v1 folder upstream, and what the benchmarks write.
        string[] elsewhere = ["examples/v1", "bench/out"];
        foreach (var file in DocumentedCommands.Files(Root).Append("SECURITY.md"))
        {
            var text = File.ReadAllText(Path.Combine(Root, file));
            foreach (Match m in Regex.Matches(text, @"`((?:src|tests|bench|examples|deploy|schemas|\.ci)/[A-Za-z0-9_./-]+)`"))
            {
                var path = m.Groups[1].Value.TrimEnd('/');
                if (!path.Contains('*', StringComparison.Ordinal) && !elsewhere.Contains(path) && !File.Exists(Path.Combine(Root, path)) && !Directory.Exists(Path.Combine(Root, path)))
                {
                    missing.Add($"{file}: {path}");
                }
            }
        }

        Assert.True(missing.Count == 0, "paths the docs name that do not exist:\n" + string.Join("\n", missing));
    }

    /// <summary>Whether setting <paramref name="setting"/> (with <c>*</c> for a free key) is what <paramref name="documented"/> names.</summary>
    private static bool Matches(string setting, string documented)
    {
        var s = setting.Split(':');
        var d = documented.Split(':');
        return s.Length == d.Length && s.Zip(d).All(p => p.First == "*" || p.First == p.Second);
    }

    /// <summary>The settings under <paramref name="type"/>: its writable properties, nested options classes walked, a dictionary's keys as <c>*</c>.</summary>
    private static IEnumerable<string> Paths(Type type, string prefix)
    {
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            var path = prefix + p.Name;
            var t = p.PropertyType;
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            {
                foreach (var inner in Paths(t.GetGenericArguments()[1], path + ":*:"))
                {
                    yield return inner;
                }
            }
            else if (t.IsClass && t != typeof(string) && !t.IsArray && t.Namespace?.StartsWith("Mothership", StringComparison.Ordinal) == true)
            {
                foreach (var inner in Paths(t, path + ":"))
                {
                    yield return inner;
                }
            }
            else
            {
                yield return path;
            }
        }
    }
}

/// <summary>The checker itself: a wrong flag in a README is caught, a right one is not.</summary>
public sealed class DocumentedCommandsTests
{
    private const string Sample = """
        # Title

        Use `mship validate -f FILE` first.

        ```sh
        ./mship run -f FILE... [-p NAME=VALUE]...
                    [--parallel N] [--sandbox]
        ./mship run -f examples/hello.yaml --bogus   # → exit 2
        ./mship convert -f a.yaml  # → prints "apiVersion: tekton.dev/v1"
        echo "# not a comment" # but this is
        ```

        ```yaml
        mship: not a command
        ```
        """;

    private static readonly Dictionary<string, HashSet<string>> Options = new()
    {
        ["run"] = ["-f", "--file", "-p", "--param", "--parallel", "--sandbox"],
        ["validate"] = ["-f", "--file"],
        ["convert"] = ["-f", "--file"],
    };

    [Fact]
    public void Parse_FencedInlineContinuedAndCommented()
    {
        var commands = DocumentedCommands.Parse("README.md", Sample);

        Assert.Equal(["mship validate -f FILE", "./mship run -f FILE... [-p NAME=VALUE]... [--parallel N] [--sandbox]",
            "./mship run -f examples/hello.yaml --bogus", "./mship convert -f a.yaml", "echo \"# not a comment\""], commands.Select(c => c.Text));
        Assert.True(commands[1].IsSynopsis);
        Assert.False(commands[2].IsSynopsis);
        Assert.Equal(2, commands[2].ExpectedExit);
        Assert.Equal("apiVersion: tekton.dev/v1", commands[3].ExpectedOutput);
        Assert.Equal("but this is", commands[4].Comment);
        Assert.Equal(8, commands[2].Line);
    }

    [Fact]
    public void Parse_BackslashContinuation_OneCommand()
    {
        var commands = DocumentedCommands.Parse("README.md", "```sh\nA=1 B=2 \\\n  C=3 ./mship server   # a server\n./mship get pr\n```\n");

        Assert.Equal(["A=1 B=2 C=3 ./mship server", "./mship get pr"], commands.Select(c => c.Text));
        Assert.Equal("a server", commands[0].Comment);
    }

    [Theory]
    [InlineData("./mship run -f FILE... [-R] [-p NAME=VALUE]... [-o text|json] [--pipeline NAME | --task NAME]", "./mship run -f FILE")]
    [InlineData("./mship get tr|pipelines|tasks|stepactions [NAME] [-o json|yaml]", "./mship get tr")]
    [InlineData("./mship server [--db sqlite:PATH | --db postgres://USER@HOST:PORT/DB] [--urls http://127.0.0.1:8080]", "./mship server")]
    [InlineData("./mship delete pr NAME...", "./mship delete pr NAME")]
    [InlineData("./mship deploy --repo DIR [--state [DIR]] --site SITE", "./mship deploy --repo DIR --site SITE")]
    public void Shortest_Synopsis_OptionalPartsDroppedFirstAlternativeKept(string synopsis, string shortest)
    {
        Assert.Equal(shortest, new DocumentedCommand("README.md", 1, synopsis, null, Fenced: true).Shortest());
    }

    [Fact]
    public void UnknownFlags_AWrongFlag_IsReportedWithItsLine()
    {
        var problems = DocumentedCommands.UnknownFlags(DocumentedCommands.Parse("README.md", Sample), v => v is null ? null : Options.GetValueOrDefault(v));

        Assert.Equal(["README.md:8: `./mship run -f examples/hello.yaml --bogus`: --bogus is not an option of mship run"], problems);
    }

    [Fact]
    public void UnknownFlags_AnUnknownVerb_IsReported()
    {
        var problems = DocumentedCommands.UnknownFlags(DocumentedCommands.Parse("README.md", "`mship frobnicate -x`"), v => v is null ? null : Options.GetValueOrDefault(v));

        Assert.Equal(["README.md:1: `mship frobnicate -x`: mship has no command 'frobnicate'"], problems);
    }

    [Fact]
    public void Options_FromHelpText_EveryAlias()
    {
        var options = DocumentedCommands.Options("""
            Usage:
              mship get <KIND> [<NAME>] [options]

            Options:
              -o, --output <json|table|yaml>  table, json or yaml [default: table]
              --since <since>                 created since
              -?, -h, --help                  Show help

            """);

        Assert.Equal(["-o", "--output", "--since", "-?", "-h", "--help"], options);
    }
}
