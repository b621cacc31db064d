using System.Globalization;
using System.Text.Json.Nodes;

namespace Mothership.Testing;

/// <summary>
/// The harness of our port of Tekton's conformance suite (<see cref="Source"/> at
/// <see cref="Commit"/>): its <c>ProcessAndSendToTekton</c> is <c>mship run -o json</c> on one
/// YAML document, and its <c>checkTaskRunConditionSucceeded</c> /
/// <c>checkPipelineRunConditionSucceeded</c> are <see cref="AssertSucceededCondition"/>.
/// </summary>
public static class TektonConformance
{
    /// <summary>The upstream suite we port, case by case.</summary>
    public const string Source = "https://github.com/tektoncd/pipeline/blob/3ee1745ae5b2d9175b11917d7c1935eaad44910c/test/conformance/conformance_test.go";

    /// <summary>The tektoncd/pipeline commit the cases were ported from.</summary>
    public const string Commit = "3ee1745ae5b2d9175b11917d7c1935eaad44910c";

    /// <summary>
    /// Runs the one PipelineRun or TaskRun in <paramref name="yaml"/> through <c>mship run -o json</c>
    /// (plus <paramref name="extraArgs"/>, such as another executor) and returns the final run object.
    /// As upstream's <c>ExpectRunToFail</c>, <paramref name="expectSuccess"/> false expects the run to
    /// end failed (exit code 1) rather than succeeded (exit code 0); anything else fails the test.
    /// </summary>
    public static async Task<JsonNode> RunAsync(string yaml, bool expectSuccess = true, params string[] extraArgs)
    {
        var dir = Directory.CreateTempSubdirectory("mship-tekton-conformance-").FullName;
        try
        {
            var file = Path.Combine(dir, "run.yaml");
            await File.WriteAllTextAsync(file, yaml, TestContext.Current.CancellationToken);
            var result = await MshipProcess.RunAsync(
                ["run", "-f", file, "-o", "json", "--workdir", Path.Combine(dir, "work"), .. extraArgs],
                timeout: TimeSpan.FromMinutes(2),
                cancellationToken: TestContext.Current.CancellationToken);
            var expected = expectSuccess ? 0 : 1;
            Assert.True(result.ExitCode == expected, $"mship run exited {result.ExitCode}, expected {expected}\n{result.Stderr}\n{result.Stdout}");
            return JsonNode.Parse(result.Stdout) ?? throw new InvalidOperationException("mship run printed null\n" + result.Stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// Upstream's <c>checkTaskRunConditionSucceeded</c> and <c>checkPipelineRunConditionSucceeded</c>:
    /// the run has a condition of type <c>Succeeded</c>, and each such condition has
    /// <paramref name="status"/> and <paramref name="reason"/>.
    /// </summary>
    public static void AssertSucceededCondition(JsonNode run, string status, string reason)
    {
        var succeeded = Array(run["status"]?["conditions"]).Where(c => Text(c?["type"]) == "Succeeded").ToList();
        Assert.True(succeeded.Count > 0, "no Succeeded condition in status.conditions:\n" + run["status"]);
        Assert.All(succeeded, c =>
        {
            Assert.Equal(status, Text(c!["status"]));
            Assert.Equal(reason, Text(c!["reason"]));
        });
    }

    /// <summary>The items of the JSON array <paramref name="node"/>; none when it is absent.</summary>
    public static IReadOnlyList<JsonNode?> Array(JsonNode? node) => node is JsonArray a ? [.. a] : [];

    /// <summary>The string at <paramref name="node"/>, or null when it is absent.</summary>
    public static string? Text(JsonNode? node) => node?.GetValue<string>();

    /// <summary>An RFC 3339 time of the run object, parsed.</summary>
    public static DateTimeOffset Time(JsonNode? node)
    {
        var text = Text(node);
        Assert.False(string.IsNullOrEmpty(text), "time missing");
        return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);
    }
}
