using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mothership.Testing.GitHub;

namespace Mothership.Ci.Tests.Forge;

/// <summary>
/// The fake speaks GitHub: each recorded call of octokit/fixtures that the fake models is replayed
/// against it, its state seeded from the recording, and the answer must have the recording's
/// status, the same JSON keys at every level (values differ where they name the host or an id),
/// and the same relevant headers (content type, X-RateLimit-*, Location, Link rel names).
/// </summary>
public sealed partial class FakeGitHubRecordedTests
{
    private const string Org = "octokit-fixture-org";

    public static TheoryData<string, int> Scenarios => new()
    {
        { "create-status.json", int.MaxValue },
        { "labels.json", int.MaxValue },
        { "add-labels-to-issue.json", int.MaxValue },
        { "paginate-issues.json", int.MaxValue },
        { "errors.json", int.MaxValue },
        { "get-content.json", int.MaxValue },
        { "git-refs.json", int.MaxValue },
        { "create-file.json", int.MaxValue },
        // Only the first call: a release's shape (the rest uploads assets, which the fake does not model).
        { "release-assets.json", 1 },
        // Only the first call: a 404's shape (the rest changes branch protection, which the fake does not model).
        { "branch-protection.json", 1 },
    };

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Scenarios))]
    public async Task Replay_RecordedCalls_SameStatusKeysAndHeaders(string file, int calls)
    {
        var recorded = Load(file).Take(calls).ToList();
        await using var github = await FakeGitHub.StartAsync(new FakeGitHubOptions { Login = "octokit-fixture-user-a" }, TestContext.Current.CancellationToken);
        Seed(github, file, recorded);
        using var http = new HttpClient { BaseAddress = github.BaseUri };

        var mismatches = new List<string>();
        foreach (var call in recorded)
        {
            using var request = new HttpRequestMessage(new HttpMethod(call.Method.ToUpperInvariant()), call.Path.TrimStart('/'));
            request.Headers.Accept.ParseAdd(call.RequestHeaders.GetValueOrDefault("accept") ?? "application/vnd.github.v3+json");
            request.Headers.Authorization = AuthenticationHeaderValue.Parse(call.RequestHeaders.GetValueOrDefault("authorization") ?? "token x");
            if (call.Body is JsonObject or JsonArray)
            {
                request.Content = new StringContent(call.Body.ToJsonString(), Encoding.UTF8, "application/json");
            }

            using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
            var where = $"{call.Method} {call.Path}";
            var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            if ((int)response.StatusCode != call.Status)
            {
                mismatches.Add($"{where}: status {(int)response.StatusCode}, recorded {call.Status}: {text}");
                continue;
            }

            CompareHeaders(where, call.Headers, response, mismatches);
            if (call.Response is JsonValue v && v.TryGetValue<string>(out var rawRecorded))
            {
                // A raw answer (Accept: application/vnd.github.v3.raw): the bytes themselves.
                if (rawRecorded.Length > 0 && text != rawRecorded)
                {
                    mismatches.Add($"{where}: raw body '{text}', recorded '{rawRecorded}'");
                }

                continue;
            }

            CompareShape(where + " $", call.Response, JsonNode.Parse(text), mismatches);
        }

        Assert.Empty(github.Errors);
        Assert.True(mismatches.Count == 0, string.Join('\n', mismatches));
    }

    /// <summary>
    /// Pull requests and comments are not in the REST recordings; GitHub sends the same objects in
    /// its webhook payloads, so the fake's answers must have their keys (lists may differ in length).
    /// Issues are left to the REST recordings: the payloads' issue is an older snapshot of the object.
    /// </summary>
    [Theory(Timeout = 30_000)]
    [InlineData("pull_request/opened.payload.json", "pull_request", "pulls/1")]
    [InlineData("pull_request/synchronize.payload.json", "pull_request", "pulls/1")]
    [InlineData("issue_comment/created.payload.json", "comment", "issues/comments/{comment}")]
    public async Task Objects_SameKeysAsWebhookPayloads(string file, string field, string path)
    {
        var recorded = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures.GitHubWebhooks(), file)))![field];
        await using var github = await FakeGitHub.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        var repo = github.AddRepository("Codertocat", "Hello-World");
        var pr = repo.AddPullRequest("Codertocat", "ec26c3e57ca3a959ca5aad62de7213c562f8c821", "changes", "master");
        using var http = new HttpClient { BaseAddress = github.BaseUri };
        http.DefaultRequestHeaders.Accept.ParseAdd("application/vnd.github.v3+json");
        using (var comment = await http.PostAsync(
            $"repos/Codertocat/Hello-World/issues/{pr.Number}/comments", new StringContent("""{"body": "You are totally right!"}""", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken))
        {
            path = path.Replace("{comment}", JsonNode.Parse(await comment.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["id"]!.ToString(), StringComparison.Ordinal);
        }

        var answer = JsonNode.Parse(await http.GetStringAsync("repos/Codertocat/Hello-World/" + path, TestContext.Current.CancellationToken));

        var mismatches = new List<string>();
        CompareShape("$", recorded, answer, mismatches, lengths: false);
        Assert.True(mismatches.Count == 0, string.Join('\n', mismatches));
    }

    [Fact]
    public void CompareShape_DifferentKeysAtDepth_Reported()
    {
        var mismatches = new List<string>();
        CompareShape("$", JsonNode.Parse("""{"a": {"b": 1, "c": [{"d": 1}]}}"""), JsonNode.Parse("""{"a": {"b": 2, "c": [{"e": 1}]}}"""), mismatches);

        Assert.Equal(["$.a.c[0]: missing d", "$.a.c[0]: extra e"], mismatches);
    }

    /// <summary>The fake's state before the recording's first call, read from the recording.</summary>
    private static void Seed(FakeGitHub github, string file, IReadOnlyList<Recorded> recorded)
    {
        var repoName = file switch
        {
            "get-content.json" => "hello-world",
            _ => file[..^".json".Length],
        };
        var repo = github.AddRepository(Org, repoName, id: 1000);
        switch (file)
        {
            case "labels.json":
                foreach (var label in recorded[0].Response!.AsArray())
                {
                    repo.AddLabel(label!["name"]!.GetValue<string>(), label["color"]!.GetValue<string>(), label["description"]?.GetValue<string>(), isDefault: label["default"]!.GetValue<bool>());
                }

                break;

            case "paginate-issues.json":
                var count = recorded.Sum(r => r.Response!.AsArray().Count);
                for (var n = 1; n <= count; n++)
                {
                    repo.AddIssue($"Test issue {n}", "octokit-fixture-user-a");
                }

                break;

            case "git-refs.json":
                foreach (var gitRef in recorded[0].Response!.AsArray())
                {
                    repo.SetBranch(gitRef!["ref"]!.GetValue<string>()["refs/heads/".Length..], gitRef["object"]!["sha"]!.GetValue<string>());
                }

                break;

            case "release-assets.json":
                repo.SetBranch("main", "0000000000000000000000000000000000000001");
                repo.AddRelease("v1.0.0", "0000000000000000000000000000000000000001", "Version 1.0.0", "Initial release");
                break;

            case "get-content.json":
                repo.DefaultBranch = "master";
                repo.SetFile("master", "README.md", recorded[1].Response!.GetValue<string>());
                break;
        }
    }

    private static void CompareHeaders(string where, IReadOnlyDictionary<string, string> recorded, HttpResponseMessage response, List<string> mismatches)
    {
        string? Actual(string name) =>
            response.Headers.TryGetValues(name, out var v) ? string.Join(", ", v)
            : response.Content.Headers.TryGetValues(name, out var c) ? string.Join(", ", c)
            : null;

        if (recorded.GetValueOrDefault("content-type") is { } contentType && Actual("content-type") != contentType)
        {
            mismatches.Add($"{where}: content-type '{Actual("content-type")}', recorded '{contentType}'");
        }

        foreach (var name in (string[])["x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "x-ratelimit-used", "x-ratelimit-resource", "location", "x-github-media-type"])
        {
            if (recorded.ContainsKey(name) != (Actual(name) is not null))
            {
                mismatches.Add($"{where}: header {name} {(recorded.ContainsKey(name) ? "missing" : "not recorded")}");
            }
        }

        var recordedRels = Rels(recorded.GetValueOrDefault("link"));
        var actualRels = Rels(Actual("link"));
        if (!recordedRels.SequenceEqual(actualRels))
        {
            mismatches.Add($"{where}: Link rels [{string.Join(", ", actualRels)}], recorded [{string.Join(", ", recordedRels)}]");
        }
    }

    /// <summary>
    /// Both sides have the same keys in every object, and arrays the same length (unless not
    /// <paramref name="lengths"/>: then items are compared as far as both have them); values are not compared.
    /// </summary>
    internal static void CompareShape(string path, JsonNode? recorded, JsonNode? actual, List<string> mismatches, bool lengths = true)
    {
        switch (recorded, actual)
        {
            case (JsonObject r, JsonObject a):
                foreach (var key in r.Select(p => p.Key).Where(k => !a.ContainsKey(k)))
                {
                    mismatches.Add($"{path}: missing {key}");
                }

                foreach (var key in a.Select(p => p.Key).Where(k => !r.ContainsKey(k)))
                {
                    mismatches.Add($"{path}: extra {key}");
                }

                foreach (var (key, value) in r.Where(p => a.ContainsKey(p.Key)))
                {
                    CompareShape($"{path}.{key}", value, a[key], mismatches, lengths);
                }

                break;

            case (JsonArray r, JsonArray a):
                if (lengths && r.Count != a.Count)
                {
                    mismatches.Add($"{path}: {a.Count} items, recorded {r.Count}");
                }

                for (var i = 0; i < Math.Min(r.Count, a.Count); i++)
                {
                    CompareShape($"{path}[{i}]", r[i], a[i], mismatches, lengths);
                }

                break;

            case (JsonObject or JsonArray, _) or (_, JsonObject or JsonArray) when recorded is not null && actual is not null:
                mismatches.Add($"{path}: {actual.GetValueKind()}, recorded {recorded.GetValueKind()}");
                break;
        }
    }

    private static List<string> Rels(string? link) =>
        link is null ? [] : [.. RelPattern().Matches(link).Select(m => m.Groups[1].Value)];

    private static List<Recorded> Load(string file)
    {
        var all = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures.GitHubApi(), file)))!.AsArray();
        return [.. all.Select(e => new Recorded(
            e!["method"]!.GetValue<string>(),
            e["path"]!.GetValue<string>(),
            e["body"],
            e["status"]!.GetValue<int>(),
            e["response"],
            Strings(e["headers"]),
            Strings(e["reqheaders"])))];

        static Dictionary<string, string> Strings(JsonNode? node) =>
            node is JsonObject o ? o.ToDictionary(p => p.Key.ToLowerInvariant(), p => p.Value?.ToString() ?? "") : [];
    }

    [GeneratedRegex("rel=\"([a-z]+)\"")]
    private static partial Regex RelPattern();

    private sealed record Recorded(
        string Method, string Path, JsonNode? Body, int Status, JsonNode? Response,
        IReadOnlyDictionary<string, string> Headers, IReadOnlyDictionary<string, string> RequestHeaders);
}
