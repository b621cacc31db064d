using System.Text.Json.Nodes;

namespace Mothership.Testing;

/// <summary>
/// Tekton's own examples (examples/v1 at the commit in the fixtures' SOURCE.md): every one of
/// them succeeds on Tekton, so every one must succeed through <c>mship run</c> — on the local
/// executor (IntegrationTests) and as pods through the fake API server (Executors.Kubernetes.Tests).
/// </summary>
public static class TektonExamples
{
    /// <summary>The folders the issue names; alpha/ and no-ci/ are out of scope, and remote resolvers are proven apart (<see cref="Resolvers"/>).</summary>
    public static readonly string[] Folders = ["pipelineruns", "pipelineruns/beta", "taskruns", "taskruns/beta"];

    /// <summary>
    /// The remote resolver examples (git, http, hub, bundles, cluster), no-ci/ included: they need
    /// stand-ins for GitHub, Artifact Hub and a registry, so IntegrationTests' RemoteResolutionExamplesTests
    /// runs them against local ones rather than the theories over <see cref="All"/>.
    /// </summary>
    public static IEnumerable<string> Resolvers()
    {
        var v1 = Path.Combine(Fixtures.Location(), "tekton", "v1");
        return !Directory.Exists(v1) ? [] : Folders.Concat(["pipelineruns/no-ci", "taskruns/no-ci"])
            .Where(f => Directory.Exists(Path.Combine(v1, f)))
            .SelectMany(f => Directory.EnumerateFiles(Path.Combine(v1, f), "*resolver*.yaml").Select(p => $"{f}/{Path.GetFileName(p)}"))
            .Order(StringComparer.Ordinal);
    }

    /// <summary>
    /// Examples the local executor cannot run, each with the reason. Kept explicit: an example
    /// is never skipped silently, and IntegrationTests' TektonExamplesCoverageTests caps this list.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Unsupported = new Dictionary<string, string>
    {
        ["pipelineruns/pipelinerun.yaml"] = "runs /ko-app/git-init, a binary that exists only inside Tekton's git-init image",
        ["pipelineruns/pipelinerun-with-final-tasks.yaml"] = "runs /ko-app/git-init, a binary that exists only inside Tekton's git-init image",
        ["taskruns/entrypoint-resolution.yaml"] = "steps without command or script rely on the image's ENTRYPOINT, which needs a registry lookup",
        ["taskruns/dind-sidecar.yaml"] = "needs a Docker daemon (docker:dind sidecar); no Docker engine runs locally",
        ["taskruns/authenticating-git-commands.yaml"] = "its sidecar is an SSH git server built from the alpine image (sshd, /var/log/sshd, /tekton/creds layout) that the host does not provide",
        ["taskruns/beta/authenticating-git-commands.yaml"] = "its sidecar is an SSH git server built from the alpine image (sshd, /var/log/sshd, /tekton/creds layout) that the host does not provide",
    };

    /// <summary>
    /// The one case a theory over the examples holds when the fixtures are absent, so the suite
    /// still shows up (skipped with the reason, or failed on CI) instead of vanishing.
    /// </summary>
    public const string Absent = "(fixtures absent)";

    /// <summary>
    /// Every in-scope example, relative to tekton/v1; empty when the fixtures are absent. Present
    /// fixtures missing one of <see cref="Folders"/> are broken, not absent: that throws.
    /// </summary>
    public static IEnumerable<string> All()
    {
        var v1 = Path.Combine(Fixtures.Location(), "tekton", "v1");
        if (!Directory.Exists(v1))
        {
            return [];
        }

        var missing = Folders.Where(f => !Directory.Exists(Path.Combine(v1, f))).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"{v1} lacks {string.Join(", ", missing)}: the Tekton fixtures are incomplete (README, \"Test fixtures\")");
        }

        return Folders
            .SelectMany(f => Directory.EnumerateFiles(Path.Combine(v1, f), "*.yaml").Select(p => $"{f}/{Path.GetFileName(p)}"))
            .Where(p => !Path.GetFileName(p).Contains("resolver", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
    }

    /// <summary>The examples under <paramref name="prefix"/> as theory data, or <see cref="Absent"/> alone when the fixtures are.</summary>
    public static TheoryData<string> In(string prefix)
    {
        var data = new TheoryData<string>();
        foreach (var e in All().Where(e => e.StartsWith(prefix, StringComparison.Ordinal)))
        {
            data.Add(e);
        }

        if (data.Count == 0)
        {
            data.Add(Absent);
        }

        return data;
    }

    /// <summary>
    /// The full path of <paramref name="example"/> (a case of <see cref="In"/>); ends the test as
    /// <see cref="Fixtures.TektonV1"/> does when the fixtures are absent, and fails it when they
    /// are present yet the theory found no example.
    /// </summary>
    public static string PathOf(string example)
    {
        var v1 = Fixtures.TektonV1();
        Assert.True(example != Absent, $"{v1} is present but holds no in-scope example for this theory");
        return Path.Combine(v1, example);
    }

    /// <summary>
    /// Runs <paramref name="example"/> with <c>mship run</c> (plus <paramref name="extraArgs"/>) and
    /// expects every run to succeed. With <paramref name="alsoV1Beta1"/>, its v1beta1 copy
    /// (<see cref="TektonV1Beta1"/>) runs beside it and must give the same run objects: the same
    /// spec as printed, conditions, child tasks, steps, results and skipped tasks.
    /// </summary>
    public static async Task RunAsync(string example, IReadOnlyDictionary<string, string>? unsupported = null, bool alsoV1Beta1 = false, params string[] extraArgs)
    {
        var path = PathOf(example);
        if (Unsupported.TryGetValue(example, out var reason) || (unsupported?.TryGetValue(example, out reason) ?? false))
        {
            Assert.Skip($"not supported {(extraArgs.Length == 0 ? "locally" : "here")}: {reason}");
        }

        var work = Path.Combine(Path.GetTempPath(), "mship-conformance-" + Guid.NewGuid().ToString("N"));
        try
        {
            // Each copy's runs one level down: a persistentVolumeClaim lives beside the runs'
            // folder (WORKDIR/../volumes), and two copies sharing it raced (two steps' `cp` into
            // the same claim: cp creates with O_EXCL, and the second failed with "File exists").
            var original = RunOneAsync(example, path, Path.Combine(work, "v1", "runs"), extraArgs);
            if (!alsoV1Beta1)
            {
                await original;
                return;
            }

            Directory.CreateDirectory(work);
            var copy = Path.Combine(work, "v1beta1-" + Path.GetFileName(path));
            await File.WriteAllTextAsync(copy, TektonV1Beta1.Copy(await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken)), TestContext.Current.CancellationToken);
            var beta = RunOneAsync(example + " (v1beta1 copy)", copy, Path.Combine(work, "v1beta1", "runs"), extraArgs);
            var runs = await Task.WhenAll(original, beta);
            Assert.Equal(runs[0].Count, runs[1].Count);
            for (var i = 0; i < runs[0].Count; i++)
            {
                Assert.Equal(Outcome(runs[0][i]), Outcome(runs[1][i]));
            }
        }
        finally
        {
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    private static async Task<List<JsonNode>> RunOneAsync(string example, string path, string work, string[] extraArgs)
    {
        var result = await MshipProcess.RunAsync(
            ["run", "-f", path, "-o", "json", "--workdir", work, "--parallel", "4", .. extraArgs],
            timeout: TimeSpan.FromMinutes(3),
            cancellationToken: TestContext.Current.CancellationToken);
        return SucceededRuns(result, example);
    }

    /// <summary>
    /// The run objects <c>mship run -o json</c> printed (one, or a List's items), each of which
    /// must have succeeded (Succeeded, or Completed with skipped tasks), as must the process.
    /// </summary>
    public static List<JsonNode> SucceededRuns(MshipResult result, string what)
    {
        Assert.True(result.ExitCode == 0, $"{what} exited {result.ExitCode}\n{result.Stderr}\n{Tail(result.Stdout)}");
        var document = JsonNode.Parse(result.Stdout)!;
        var items = document["kind"]!.GetValue<string>() == "List" ? document["items"]!.AsArray().Select(i => i!).ToList() : [document];
        foreach (var run in items)
        {
            var condition = run["status"]!["conditions"]![0]!;
            Assert.Equal("True", condition["status"]!.GetValue<string>());
            Assert.Contains(condition["reason"]!.GetValue<string>(), new[] { "Succeeded", "Completed" });
        }

        return items;
    }

    /// <summary>What two runs of the same definitions share, whatever the time, names and values the steps made.</summary>
    private static string Outcome(JsonNode run)
    {
        var status = run["status"]!;
        static IEnumerable<string> Names(JsonNode? list, string field) =>
            list is null ? [] : list.AsArray().Select(i => i![field]?.ToString() ?? "").Order(StringComparer.Ordinal);
        var outcome = new JsonObject
        {
            ["apiVersion"] = run["apiVersion"]?.DeepClone(),
            ["kind"] = run["kind"]?.DeepClone(),
            ["spec"] = run["spec"]?.DeepClone(),
            ["condition"] = $"{status["conditions"]![0]!["status"]} {status["conditions"]![0]!["reason"]}",
            ["pipelineSpec"] = status["pipelineSpec"]?.DeepClone(),
            ["taskSpec"] = status["taskSpec"]?.DeepClone(),
            ["children"] = string.Join(",", Names(status["childReferences"], "pipelineTaskName")),
            ["skipped"] = string.Join(",", Names(status["skippedTasks"], "name")),
            ["results"] = string.Join(",", Names(status["results"], "name")),
            ["steps"] = string.Join(",", status["steps"]?.AsArray().Select(s => $"{s!["name"]}:{s["terminated"]?["exitCode"]}") ?? []),
        };
        return outcome.ToJsonString();
    }

    private static string Tail(string text) => text.Length > 4000 ? text[^4000..] : text;
}
