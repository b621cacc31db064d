using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Mothership.Ci.Forge;
using Mothership.Ci.Jobs;
using Mothership.Ci.Triggers;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Store;
using Mothership.Testing.GitHub;

namespace Mothership.Ci.Tests.Triggers;

/// <summary>
/// A <see cref="JobTrigger"/> against the fake GitHub, a real SQLite store and runs recorded in
/// it, fed GitHub's own webhook payloads (../shared/fixtures/github-webhooks) with the fields a
/// case needs changed.
/// </summary>
internal sealed class TriggerHarness : IAsyncDisposable
{
    public const string Owner = "Codertocat";
    public const string Repo = "Hello-World";
    public const string FullName = Owner + "/" + Repo;

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mship-trigger-");

    private TriggerHarness(FakeGitHub github, IRunStore store, FakeTimeProvider time)
    {
        GitHub = github;
        Store = store;
        Time = time;
        Runs = new RecordingJobRuns(store, time);
        Concurrency = new JobConcurrency(store, Runs);
        Repository = github.AddRepository(Owner, Repo);
    }

    public FakeGitHub GitHub { get; }

    public FakeRepository Repository { get; }

    public IRunStore Store { get; }

    public FakeTimeProvider Time { get; }

    public RecordingJobRuns Runs { get; }

    /// <summary>The <c>max_concurrency</c> releases of the harness's starters.</summary>
    public JobConcurrency Concurrency { get; }

    public JobConfigFiles Config { get; private set; } = null!;

    public JobTrigger Trigger { get; private set; } = null!;

    /// <summary>The forge on the fake GitHub that the trigger uses.</summary>
    public IForge Forge { get; private set; } = null!;

    /// <summary>A starter on the harness's forge, store and recorded runs.</summary>
    public JobStarter Starter => new(Forge, Store, Runs, Concurrency, new JobTriggerOptions(), Time);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<TriggerHarness> StartAsync(string config, string? plugins = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero));
        var github = await FakeGitHub.StartAsync(new FakeGitHubOptions { Token = "t", Time = time }, Ct);
        var dir = Directory.CreateTempSubdirectory("mship-trigger-store-");
        var store = RunStoreFactory.Open("sqlite:" + Path.Combine(dir.FullName, "store.db"), time);
        await store.MigrateAsync(Ct);
        var harness = new TriggerHarness(github, store, time);
        harness.UseConfig(config, plugins);
        return harness;
    }

    /// <summary>Writes the config (and plugins) files and makes a trigger that reads them.</summary>
    public void UseConfig(string config, string? plugins = null)
    {
        var configFile = Path.Combine(_dir.FullName, "config.yaml");
        File.WriteAllText(configFile, config);
        string? pluginsFile = null;
        if (plugins is not null)
        {
            pluginsFile = Path.Combine(_dir.FullName, "plugins.yaml");
            File.WriteAllText(pluginsFile, plugins);
        }

        Config = new JobConfigFiles(configFile, pluginsFile);
        var problems = Config.Reload()!;
        Assert.Empty(problems);
        Forge = GitHubForge.WithToken(new GitHubForgeOptions { ApiUrl = GitHub.BaseUri }, "t", Time);
        Trigger = new JobTrigger(Config, Forge, Store, Runs, Starter, Time);
    }

    /// <summary>Rewrites the config file and reloads it into the same <see cref="Config"/>, as the server's reload does.</summary>
    public void ReloadConfig(string config)
    {
        File.WriteAllText(Path.Combine(_dir.FullName, "config.yaml"), config);
        Assert.Empty(Config.Reload()!);
    }

    public Task<string> HandleAsync(WebhookDelivery delivery) => Trigger.HandleAsync(delivery, Ct);

    /// <summary>GitHub's <c>pull_request</c> payload with this case's pull request.</summary>
    public WebhookDelivery PullRequest(string action, FakeIssue pr, string? id = null, IEnumerable<string>? labels = null)
    {
        var root = Payload("pull_request", "opened.payload.json");
        root["action"] = action;
        var p = root["pull_request"]!;
        p["number"] = pr.Number;
        p["title"] = pr.Title;
        p["user"]!["login"] = pr.Author;
        p["head"]!["sha"] = pr.HeadSha;
        p["head"]!["ref"] = pr.HeadRef;
        p["base"]!["ref"] = pr.BaseRef;
        p["base"]!["sha"] = pr.BaseSha;
        p["draft"] = pr.Draft;
        p["state"] = pr.Closed ? "closed" : "open";
        p["labels"] = new JsonArray([.. (labels ?? Repository.LabelsOn(pr.Number)).Select(l => (JsonNode)new JsonObject { ["name"] = l })]);
        p["body"] = pr.Body;
        p["assignees"] = Assignees(pr);
        return Delivery(id, "pull_request", root);
    }

    /// <summary>GitHub's <c>issue_comment</c> payload: <paramref name="author"/> comments <paramref name="body"/> on the pull request.</summary>
    public WebhookDelivery Comment(FakeIssue pr, string author, string body, string? id = null)
    {
        var root = Payload("issue_comment", "created.payload.json");
        var issue = root["issue"]!;
        issue["number"] = pr.Number;
        issue["state"] = pr.Closed ? "closed" : "open";
        issue["pull_request"] = new JsonObject { ["url"] = $"https://api.github.com/repos/{FullName}/pulls/{pr.Number}" };
        issue["labels"] = new JsonArray([.. Repository.LabelsOn(pr.Number).Select(l => (JsonNode)new JsonObject { ["name"] = l })]);
        issue["user"]!["login"] = pr.Author;
        issue["body"] = pr.Body;
        issue["assignees"] = Assignees(pr);
        root["comment"]!["body"] = body;
        root["comment"]!["user"]!["login"] = author;
        root["sender"]!["login"] = author;
        return Delivery(id, "issue_comment", root);
    }

    /// <summary>GitHub's <c>pull_request_review</c> payload: <paramref name="author"/> submits a review in <paramref name="state"/> with <paramref name="body"/>.</summary>
    public WebhookDelivery Review(FakeIssue pr, string author, string state, string body, string action = "submitted", string? id = null)
    {
        var root = Payload("pull_request_review", "submitted.payload.json");
        root["action"] = action;
        var p = root["pull_request"]!;
        p["number"] = pr.Number;
        p["user"]!["login"] = pr.Author;
        p["head"]!["sha"] = pr.HeadSha;
        p["base"]!["ref"] = pr.BaseRef;
        p["labels"] = new JsonArray([.. Repository.LabelsOn(pr.Number).Select(l => (JsonNode)new JsonObject { ["name"] = l })]);
        p["body"] = pr.Body;
        p["assignees"] = Assignees(pr);
        root["review"]!["state"] = state;
        root["review"]!["body"] = body;
        root["review"]!["user"]!["login"] = author;
        root["sender"]!["login"] = author;
        return Delivery(id, "pull_request_review", root);
    }

    /// <summary>GitHub's <c>push</c> payload: <paramref name="after"/> pushed to <paramref name="branch"/>, changing <paramref name="files"/>.</summary>
    public WebhookDelivery Push(string branch, string after, params string[] files)
    {
        var root = Payload("push", "with-new-branch.payload.json");
        root["ref"] = "refs/heads/" + branch;
        root["after"] = after;
        root["deleted"] = false;
        root["commits"] = new JsonArray(new JsonObject
        {
            ["id"] = after,
            ["added"] = new JsonArray(),
            ["removed"] = new JsonArray(),
            ["modified"] = new JsonArray([.. files.Select(f => (JsonNode)f)]),
        });
        return Delivery(null, "push", root);
    }

    /// <summary>Ends run <paramref name="name"/> as the engine would: claimed, then finished at the clock's time, passed or failed.</summary>
    public async Task FinishAsync(string name, bool passed = true)
    {
        var now = Time.GetUtcNow();
        var claimed = await Store.ClaimRunsAsync("test", 100, TimeSpan.FromMinutes(5), now, Ct);
        var run = claimed.Single(c => c.Run.Name == name).Run;
        Assert.True(await Store.CommitTransitionAsync(new RunTransition
        {
            Uid = run.Uid,
            Owner = "test",
            Phase = RunPhase.Finished,
            Status = passed ? "True" : "False",
            Reason = passed ? "Succeeded" : "Failed",
            StartedAt = now,
            CompletedAt = now,
        }, Ct));
    }

    /// <summary>The runs started, as the trigger built them.</summary>
    public IReadOnlyList<Resource> Started => Runs.Started;

    /// <summary>The statuses set on <paramref name="sha"/>, oldest first.</summary>
    public IReadOnlyList<FakeStatus> StatusesOn(string sha) => [.. Repository.Statuses.Where(s => s.Sha == sha)];

    /// <summary>The pull request's assignees as a payload lists them (the fake's, not the fixture's).</summary>
    private static JsonArray Assignees(FakeIssue pr) =>
        new([.. pr.Assignees.Select(a => (JsonNode)new JsonObject { ["login"] = a, ["type"] = "User" })]);

    private static JsonNode Payload(string @event, string file) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures.GitHubWebhooks(), @event, file)))!;

    private WebhookDelivery Delivery(string? id, string @event, JsonNode root) =>
        new(id ?? Guid.NewGuid().ToString(), @event, root.ToJsonString(), Time.GetUtcNow());

    public async ValueTask DisposeAsync()
    {
        Assert.Empty(GitHub.Errors);
        await GitHub.DisposeAsync();
        await Store.DisposeAsync();
        _dir.Delete(recursive: true);
    }
}

/// <summary>Runs "started" by writing them to the store as queued (pending when held), as the server's intake would; releases and cancels recorded.</summary>
internal sealed class RecordingJobRuns(IRunStore store, TimeProvider time) : IJobRuns
{
    public List<Resource> Started { get; } = [];

    public List<string> Cancelled { get; } = [];

    /// <summary>The names of held runs released, in order.</summary>
    public List<string> Released { get; } = [];

    /// <summary>The Secrets sent with each run, by run name.</summary>
    public Dictionary<string, IReadOnlyList<DataObject>> Secrets { get; } = [];

    public async Task<JobStart> StartAsync(Resource run, IReadOnlyList<DataObject> secrets, string actor, CancellationToken cancellationToken)
    {
        Secrets[run.Metadata.Name!] = secrets;
        var record = new RunRecord
        {
            Uid = Guid.NewGuid().ToString(),
            Kind = run.Kind,
            Name = run.Metadata.Name!,
            Labels = run.Metadata.Labels,
            Phase = Held(run) ? RunPhase.Pending : RunPhase.Queued,
            Status = "Unknown",
            CreatedAt = time.GetUtcNow(),
            Manifest = "kind: " + run.Kind,
            CreatedBy = actor,
        };
        if (await store.CreateRunAsync(record, actor, cancellationToken))
        {
            Started.Add(run);
            return new JobStart(JobStartOutcome.Started, record.Uid);
        }

        return new JobStart(JobStartOutcome.AlreadyStarted, (await store.GetRunAsync(run.Kind, run.Metadata.Name!, cancellationToken))?.Uid);
    }

    public async Task<bool> ReleaseAsync(RunSummary run, string actor, CancellationToken cancellationToken)
    {
        if (!await store.ReleasePendingAsync(run.Uid, actor, cancellationToken))
        {
            return false;
        }

        Released.Add(run.Name);
        return true;
    }

    private static bool Held(Resource run) => run switch
    {
        PipelineRun p => SpecStatus.IsPending(p.Spec.Status),
        TaskRun t => SpecStatus.IsPending(t.Spec.Status),
        _ => false,
    };

    public async Task<bool> CancelAsync(RunSummary run, string actor, CancellationToken cancellationToken)
    {
        Cancelled.Add(run.Name);
        return await store.RequestCancelAsync(run.Uid, "Cancelled", actor, cancellationToken);
    }
}

/// <summary>Reading what a built run holds.</summary>
internal static class BuiltRuns
{
    public static string Job(this Resource run) => run.Metadata.Labels["prow.k8s.io/job"];

    /// <summary>A TaskRun's step env from its step template.</summary>
    public static ImmutableDictionary<string, string> Env(this Resource run) =>
        ((TaskRun)run).Spec.TaskSpec!.StepTemplate!.Env.ToImmutableDictionary(e => e.Name, e => e.Value ?? "");
}
