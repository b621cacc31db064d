using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Mothership.Ci.Hooks;
using Mothership.Store;
using Mothership.Testing;
using Mothership.Testing.GitHub;

namespace Mothership.Bench;

/// <summary>
/// <c>… -- webhooks [--deliveries N] [--samples S] [--db sqlite|postgres|both] [--payload FILE]</c>:
/// the CI bot's intake on a real <c>mship server</c> process talking to the tests' fake GitHub.
/// GitHub's <c>pull_request</c> opened payload, signed, one distinct pull request per delivery:
/// (1) S deliveries one at a time — the hook's answer, and answer → run visible in the API —
/// against the server's floor measured in between (an authenticated <c>GET /api/v1/taskruns?limit=1</c>);
/// (2) bursts of 100 and N deliveries, 16 in flight, 10 % of them sent twice: every delivery must
/// give exactly one run, and the burst's drain time; (3) the GitHub API calls per delivery by
/// endpoint, for a trusted author with 1 and 5 jobs and for an untrusted author.
/// </summary>
internal static class WebhooksBenchmark
{
    private const string HookSecret = "bench-hook-secret";
    private const string ApiToken = "bench-api-token";
    private const string GitHubToken = "bench-github-token";
    private const string Owner = "Codertocat";
    private const string Name = "Hello-World";
    private const string Trusted = "Codertocat";
    private const string Untrusted = "outsider";
    private const int InFlight = 16;
    private const int Warmups = 10;
    private const int DeliveriesPerCallCase = 5;

    /// <summary>The floor: the cheapest authenticated API call that reads the store.</summary>
    private const string FloorPath = "api/v1/taskruns?limit=1";

    private sealed record Delivery(string Id, int Number, byte[] Body, string Signature);

    private sealed record LatencyFigures(string Db, List<double> Floor, List<double> Answer, List<double> ToRun, List<double> Handled);

    private sealed record BurstFigures(string Db, int Size, int Twice, TimeSpan Posted, TimeSpan Drained, List<double> Answers, int Runs, int Lost, int Doubled,
        int Received, int Again, string Refused, int Attempts, int HandledTwice, int ApiListed, int ApiDisagrees, int FinishedRuns, double GitHubCalls,
        int RepeatedStatuses, string ServerErrors, string LoadBefore, string LoadAfter)
    {
        public bool Ok => Runs == Size && Lost == 0 && Doubled == 0 && Received == Size && Again == Twice && Refused.Length == 0 && HandledTwice == 0
            && ApiDisagrees == 0 && ServerErrors.Length == 0;
    }

    public static async Task<int> RunAsync(int deliveries, int samples, string databases, string? payloadPath)
    {
        var path = payloadPath ?? Path.Combine(Fixtures.GitHubWebhooks(), "pull_request", "opened.payload.json");
        var template = JsonNode.Parse(await File.ReadAllTextAsync(path).ConfigureAwait(false))!.AsObject();
        if (!File.Exists(MshipProcess.Binary))
        {
            Console.Error.WriteLine($"webhooks: {MshipProcess.Binary} is missing: run ./mship --version once to build the CLI");
            return 2;
        }

        if (databases is "postgres" or "both" && !PostgresServer.IsInstalled)
        {
            Console.Error.WriteLine(PostgresServer.NotInstalledReason);
            return 1;
        }

        int[] sizes = deliveries > 100 ? [100, deliveries] : [deliveries];
        Console.WriteLine($"webhooks: {samples} deliveries one at a time, bursts of {string.Join(" and ", sizes.Select(n => n.ToString("N0", CultureInfo.InvariantCulture)))} "
            + $"({InFlight} in flight, 10 % sent twice); payload {path}; {Environment.ProcessorCount} cores, load {Load()}");
        var latencies = new List<LatencyFigures>();
        var bursts = new List<BurstFigures>();
        Dictionary<string, Dictionary<string, double>>? calls = null;
        PostgresServer? postgres = null;
        try
        {
            foreach (var db in databases == "both" ? ["sqlite", "postgres"] : new[] { databases })
            {
                if (db == "postgres")
                {
                    postgres = await PostgresServer.StartAsync().ConfigureAwait(false);
                }

                async Task<string?> Database() => postgres is null ? null : await postgres.CreateDatabaseAsync("webhooks").ConfigureAwait(false);
                Console.WriteLine($"[{db}]");
                await using (var session = await Session.StartAsync(await Database().ConfigureAwait(false), template, jobs: 1).ConfigureAwait(false))
                {
                    latencies.Add(await LatencyAsync(session, db, samples).ConfigureAwait(false));
                }

                foreach (var size in sizes)
                {
                    // A fresh server and database per burst, so a size does not pay for the runs of the one before.
                    await using var session = await Session.StartAsync(await Database().ConfigureAwait(false), template, jobs: 1).ConfigureAwait(false);
                    bursts.Add(await BurstAsync(session, db, size).ConfigureAwait(false));
                }

                // GitHub calls do not depend on the database: counted once, on the first one.
                calls ??= await CallsAsync(template, Database).ConfigureAwait(false);
            }
        }
        finally
        {
            if (postgres is not null)
            {
                await postgres.DisposeAsync().ConfigureAwait(false);
            }
        }

        PrintLatency(latencies);
        PrintBursts(bursts);
        PrintCalls(calls!);
        Console.WriteLine($"load at the end: {Load()}");
        return bursts.All(b => b.Ok) ? 0 : 1;
    }

    private static string Load() => File.ReadAllText("/proc/loadavg").Trim();

    private static string F(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);

    private static double P(List<double> sorted, double p) => StoreBenchmark.Percentile(sorted, p);

    /// <summary>One delivery at a time: the floor, the hook's answer, then answer → the run is listed.</summary>
    private static async Task<LatencyFigures> LatencyAsync(Session session, string db, int samples)
    {
        var floor = new List<double>();
        var answer = new List<double>();
        var toRun = new List<double>();
        var measured = new List<string>();
        Console.WriteLine($"  one at a time: {samples} deliveries after {Warmups} warm-ups, load {Load()}");
        for (var i = -Warmups; i < samples; i++)
        {
            var clock = Stopwatch.StartNew();
            using (var response = await session.Api.GetAsync(FloorPath).ConfigureAwait(false))
            {
                await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                response.EnsureSuccessStatusCode();
            }

            var floorMs = clock.Elapsed.TotalMilliseconds;
            var delivery = session.NewDelivery(Trusted);
            clock.Restart();
            var (status, text) = await session.PostAsync(delivery).ConfigureAwait(false);
            var answerMs = clock.Elapsed.TotalMilliseconds;
            if (status != 200 || !text.StartsWith("Event received", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"POST /hook answered {status}: {text}\n{session.Server.Output}");
            }

            clock.Restart();
            while (!await session.RunExistsAsync(delivery.Id).ConfigureAwait(false))
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new TimeoutException($"no run for delivery {delivery.Id} after 60 s\n{session.Server.Output}");
                }

                await Task.Delay(1).ConfigureAwait(false);
            }

            if (i >= 0)
            {
                floor.Add(floorMs);
                answer.Add(answerMs);
                toRun.Add(clock.Elapsed.TotalMilliseconds);
                measured.Add(delivery.Id);
            }
        }

        // The server's own stamps (microseconds): stored → handled (run created, its pending status sent).
        var stamps = await session.ApiDeliveriesAsync().ConfigureAwait(false);
        var handled = measured.Where(stamps.ContainsKey).Select(id => stamps[id]).Where(s => s.HandledAt is not null)
            .Select(s => (s.HandledAt!.Value - s.ReceivedAt).TotalMilliseconds).ToList();
        foreach (var list in new[] { floor, answer, toRun, handled })
        {
            list.Sort();
        }

        Console.WriteLine($"    floor {F(P(floor, 0.5))} / {F(P(floor, 0.99))} ms, answer {F(P(answer, 0.5))} / {F(P(answer, 0.99))} ms, "
            + $"answer → run listed {F(P(toRun, 0.5))} / {F(P(toRun, 0.99))} ms, load {Load()}");
        return new LatencyFigures(db, floor, answer, toRun, handled);
    }

    /// <summary>N distinct deliveries, 10 % of them twice, <see cref="InFlight"/> at a time; then every delivery must have exactly one run.</summary>
    private static async Task<BurstFigures> BurstAsync(Session session, string db, int size)
    {
        var loadBefore = Load();
        var random = new Random(size);
        var originals = Enumerable.Range(0, size).Select(_ => session.NewDelivery(Trusted)).ToList();
        var twice = originals.OrderBy(_ => random.Next()).Take(size / 10).ToHashSet();
        var order = new List<Delivery>();
        foreach (var delivery in originals.OrderBy(_ => random.Next()))
        {
            // The copy right behind: both are in flight at once, as GitHub's retry of a slow answer would be.
            order.Add(delivery);
            if (twice.Contains(delivery))
            {
                order.Add(delivery);
            }
        }

        Console.WriteLine($"  burst of {size:N0} (+{twice.Count} sent twice), load {loadBefore}");
        var githubBefore = session.GitHub.Requests.Count;
        var answers = new ConcurrentBag<(int Status, string Text)>();
        var answerTimes = new ConcurrentBag<double>();
        var next = -1;
        var start = TimeProvider.System.GetUtcNow();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, InFlight).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < order.Count)
            {
                var sent = Stopwatch.StartNew();
                answers.Add(await session.PostAsync(order[i]).ConfigureAwait(false));
                answerTimes.Add(sent.Elapsed.TotalMilliseconds);
            }
        }))).ConfigureAwait(false);
        var posted = clock.Elapsed;

        // Drained: every delivery handled. Read from the store, since the API lists the newest 500 only.
        await using var store = RunStoreFactory.Open(session.Server.Database, TimeProvider.System);
        IReadOnlyList<WebhookDelivery> rows;
        var deadline = TimeSpan.FromSeconds(Math.Max(300, size * 0.3));
        while (true)
        {
            rows = await store.ListDeliveriesAsync(int.MaxValue, CancellationToken.None).ConfigureAwait(false);
            if ((rows.Count >= size && rows.All(r => r.HandledAt is not null)) || clock.Elapsed > deadline)
            {
                break;
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        var ids = originals.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        rows = [.. rows.Where(r => ids.Contains(r.Id))];
        var drained = rows.Count == size && rows.All(r => r.HandledAt is not null)
            ? rows.Max(r => r.HandledAt!.Value) - start
            : TimeSpan.MaxValue;

        // Exactly one run per delivery, through the API.
        var runs = await session.RunsAsync().ConfigureAwait(false);
        var perDelivery = runs.GroupBy(r => r.Delivery, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var lost = originals.Count(d => !perDelivery.ContainsKey(d.Id));
        var doubled = perDelivery.Count(p => p.Value > 1);
        var listed = await session.ApiDeliveriesAsync().ConfigureAwait(false);
        var byId = rows.ToDictionary(r => r.Id, StringComparer.Ordinal);
        var disagree = listed.Count(l => !byId.TryGetValue(l.Key, out var r) || r.HandledAt is null || r.Outcome != l.Value.Outcome);
        var refused = string.Join(", ", answers.Where(a => a.Status != 200 || !(a.Text.StartsWith("Event received", StringComparison.Ordinal) || a.Text.Contains("received before", StringComparison.Ordinal)))
            .GroupBy(a => $"{a.Status} {a.Text.Trim()}").Select(g => $"{g.Count()}× {g.Key}"));
        var errors = session.Server.Output.Split('\n').Where(l => l.StartsWith("fail:", StringComparison.Ordinal) || l.StartsWith("crit:", StringComparison.Ordinal)
            || l.Contains("answered 5", StringComparison.Ordinal)).ToList();
        var statuses = session.Repository.Statuses;
        var times = answerTimes.ToList();
        times.Sort();
        var figures = new BurstFigures(db, size, twice.Count, posted, drained, times, runs.Count, lost, doubled,
            answers.Count(a => a.Status == 200 && a.Text.StartsWith("Event received", StringComparison.Ordinal)),
            answers.Count(a => a.Status == 200 && a.Text.Contains("received before", StringComparison.Ordinal)),
            refused, rows.Count(r => r.Attempts > 1), rows.Count(r => r.Outcome?.Contains("already started", StringComparison.Ordinal) == true || r.Outcome?.StartsWith("ok:", StringComparison.Ordinal) != true),
            listed.Count, disagree, runs.Count(r => r.Phase == "Finished"), (session.GitHub.Requests.Count - githubBefore) / (double)size,
            statuses.Count - statuses.Select(s => (s.Sha, s.Context, s.State, s.Description)).Distinct().Count(),
            errors.Count == 0 ? "" : $"{errors.Count} lines, first: {errors[0].Trim()}", loadBefore, Load());
        Console.WriteLine($"    posted in {posted.TotalSeconds:F1} s, drained in {(drained == TimeSpan.MaxValue ? "(not within " + deadline.TotalSeconds + " s)" : drained.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + " s")}; "
            + $"runs {runs.Count} (lost {lost}, doubled {doubled}); answers {figures.Received} received, {figures.Again} 'received before'{(refused.Length > 0 ? ", other: " + refused : "")}; load {figures.LoadAfter}");
        if (errors.Count > 0)
        {
            Console.WriteLine("    server errors:\n      " + string.Join("\n      ", errors.Take(5)));
        }

        return figures;
    }

    /// <summary>GitHub requests per delivery by endpoint: trusted author with 1 and 5 jobs, untrusted author.</summary>
    private static async Task<Dictionary<string, Dictionary<string, double>>> CallsAsync(JsonObject template, Func<Task<string?>> database)
    {
        var result = new Dictionary<string, Dictionary<string, double>>(StringComparer.Ordinal);
        foreach (var (label, jobs, author) in new[] { ("trusted, 1 job", 1, Trusted), ("trusted, 5 jobs", 5, Trusted), ("untrusted", 1, Untrusted) })
        {
            await using var session = await Session.StartAsync(await database().ConfigureAwait(false), template, jobs).ConfigureAwait(false);
            var before = session.GitHub.Requests.Count;
            var sent = new List<string>();
            for (var i = 0; i < DeliveriesPerCallCase; i++)
            {
                var delivery = session.NewDelivery(author);
                await session.PostAsync(delivery).ConfigureAwait(false);
                sent.Add(delivery.Id);
            }

            // Every delivery handled, then (trusted) every run's final status reported; then one more
            // reporter pass (it polls every 2 s) so that nothing late is missed.
            var clock = Stopwatch.StartNew();
            var finals = author == Trusted ? DeliveriesPerCallCase * jobs : 0;
            while (clock.Elapsed < TimeSpan.FromSeconds(180))
            {
                var stamps = await session.ApiDeliveriesAsync().ConfigureAwait(false);
                if (sent.All(id => stamps.TryGetValue(id, out var s) && s.HandledAt is not null)
                    && session.Repository.Statuses.Count(s => s.State != "pending") >= finals)
                {
                    break;
                }

                await Task.Delay(200).ConfigureAwait(false);
            }

            await Task.Delay(TimeSpan.FromSeconds(3)).ConfigureAwait(false);
            var requests = session.GitHub.Requests.Skip(before).ToList();
            result[label] = requests.GroupBy(Endpoint, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Count() / (double)DeliveriesPerCallCase, StringComparer.Ordinal);
            Console.WriteLine($"  GitHub calls, {label}: {requests.Count} for {DeliveriesPerCallCase} deliveries ({F(requests.Count / (double)DeliveriesPerCallCase)} each)");
        }

        return result;
    }

    /// <summary>A request's endpoint with its variable parts named (<c>GET /repos/{owner}/{repo}/collaborators/{user}</c>); a status with its state and description.</summary>
    internal static string Endpoint(RecordedRequest request)
    {
        var parts = request.Path.Trim('/').Split('/');
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = (i, parts[0], i > 0 ? parts[i - 1] : "") switch
            {
                (1, "repos", _) => "{owner}",
                (2, "repos", _) => "{repo}",
                (1, "orgs" or "users", _) => "{org}",
                (_, _, "collaborators" or "members" or "memberships" or "public_members") => "{user}",
                _ when parts[i].Length > 0 && parts[i].All(char.IsAsciiDigit) => "{n}",
                _ when parts[i].Length == 40 && parts[i].All(char.IsAsciiHexDigit) => "{sha}",
                _ => parts[i],
            };
        }

        var endpoint = $"{request.Method} /{string.Join('/', parts)}";
        if (request.Method == "POST" && parts is [.., "statuses", _] && JsonNode.Parse(request.Body) is { } status)
        {
            endpoint += $" ({status["state"]}: {status["description"]})";
        }

        return endpoint;
    }

    private static void PrintLatency(List<LatencyFigures> latencies)
    {
        Console.WriteLine();
        Console.WriteLine("| one delivery at a time | database | p50 ms | p99 ms | p50 / floor p50 | p99 / floor p99 |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var l in latencies)
        {
            var floor50 = P(l.Floor, 0.5);
            var floor99 = P(l.Floor, 0.99);
            void Row(string what, List<double> v) =>
                Console.WriteLine($"| {what} | {l.Db} | {F(P(v, 0.5))} | {F(P(v, 0.99))} | {P(v, 0.5) / floor50:0.0}x | {P(v, 0.99) / floor99:0.0}x |");
            Row($"floor: GET /{FloorPath} (baseline)", l.Floor);
            Row("POST /hook answered", l.Answer);
            Row("answer → run listed (polled)", l.ToRun);
            if (l.Handled.Count > 0)
            {
                Row("server: received → handled (its stamps)", l.Handled);
            }
        }
    }

    private static void PrintBursts(List<BurstFigures> bursts)
    {
        Console.WriteLine();
        Console.WriteLine("| burst | database | posted in | POST p50 / p99 | drained in | deliveries/s | runs (lost, doubled) | answers: new / 'received before' / other | handled twice, retried | API lists / disagrees | runs finished at check | GitHub calls per delivery | statuses sent again | server errors | load before → after |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var b in bursts)
        {
            var drained = b.Drained == TimeSpan.MaxValue ? "not drained" : $"{b.Drained.TotalSeconds:F1} s";
            var rate = b.Drained == TimeSpan.MaxValue ? "-" : $"{b.Size / b.Drained.TotalSeconds:F1}";
            Console.WriteLine($"| {b.Size:N0} (+{b.Twice} twice) | {b.Db} | {b.Posted.TotalSeconds:F1} s ({(b.Size + b.Twice) / b.Posted.TotalSeconds:F0}/s) | {F(P(b.Answers, 0.5))} / {F(P(b.Answers, 0.99))} ms | {drained} | {rate} | "
                + $"{b.Runs} ({b.Lost}, {b.Doubled}) | {b.Received} / {b.Again} / {(b.Refused.Length == 0 ? "0" : b.Refused)} | {b.HandledTwice}, {b.Attempts} | {b.ApiListed} / {b.ApiDisagrees} | {b.FinishedRuns} | {F(b.GitHubCalls)} | {b.RepeatedStatuses} | "
                + $"{(b.ServerErrors.Length == 0 ? "none" : b.ServerErrors)} | {b.LoadBefore.Split(' ')[0]} → {b.LoadAfter.Split(' ')[0]} |");
        }
    }

    private static void PrintCalls(Dictionary<string, Dictionary<string, double>> calls)
    {
        var cases = calls.Keys.ToList();
        Console.WriteLine();
        Console.WriteLine($"| GitHub requests per delivery ({DeliveriesPerCallCase} deliveries each) | {string.Join(" | ", cases)} |");
        Console.WriteLine($"| --- |{string.Concat(cases.Select(_ => " --- |"))}");
        foreach (var endpoint in calls.Values.SelectMany(c => c.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            Console.WriteLine($"| `{endpoint}` | {string.Join(" | ", cases.Select(c => F(calls[c].GetValueOrDefault(endpoint))))} |");
        }

        Console.WriteLine($"| **total** | {string.Join(" | ", cases.Select(c => F(calls[c].Values.Sum())))} |");
    }

    /// <summary>A fake GitHub with the repository, a <c>mship server</c> process pointed at it, and clients for the API and the hook.</summary>
    private sealed class Session : IAsyncDisposable
    {
        private readonly JsonObject _template;
        private readonly DirectoryInfo _dir;

        private Session(FakeGitHub github, FakeRepository repository, ServerProcess server, DirectoryInfo dir, JsonObject template)
        {
            GitHub = github;
            Repository = repository;
            Server = server;
            _dir = dir;
            _template = template;
            Api = new HttpClient { BaseAddress = new Uri(server.Url + "/"), Timeout = TimeSpan.FromMinutes(2) };
            Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);
        }

        public FakeGitHub GitHub { get; }

        public FakeRepository Repository { get; }

        public ServerProcess Server { get; }

        /// <summary>The API, with the server's bearer token.</summary>
        public HttpClient Api { get; }

        /// <summary>Starts both with <paramref name="jobs"/> always-run presubmits; <paramref name="database"/> null is SQLite in the session's folder.</summary>
        public static async Task<Session> StartAsync(string? database, JsonObject template, int jobs)
        {
            // The bench makes thousands of calls an hour; GitHub's 5,000 would stop it (see the calls per delivery).
            var github = await FakeGitHub.StartAsync(new FakeGitHubOptions { Token = GitHubToken, RateLimit = 100_000_000 }).ConfigureAwait(false);
            var repository = github.AddRepository(Owner, Name);
            repository.AddCollaborator(Trusted);
            var dir = Directory.CreateTempSubdirectory("mothership-webhooks-bench-");
            var config = new StringBuilder($"presubmits:\n  {Owner}/{Name}:\n");
            for (var j = 1; j <= jobs; j++)
            {
                // Undecorated: no checkout step, which would clone github.com; the step is a no-op.
                config.Append(CultureInfo.InvariantCulture, $"""
                      - name: bench-{j}
                        always_run: true
                        decorate: false
                        spec:
                          containers:
                          - image: alpine
                            command: [sh, -c, "true"]

                    """);
            }

            var files = new Dictionary<string, string>
            {
                ["secret"] = HookSecret + "\n", ["token"] = GitHubToken + "\n", ["config.yaml"] = config.ToString(),
            };
            foreach (var (file, text) in files)
            {
                await File.WriteAllTextAsync(Path.Combine(dir.FullName, file), text).ConfigureAwait(false);
            }

            var server = await ServerProcess.StartAsync(dir.FullName, database, environment: new Dictionary<string, string>
            {
                ["Mothership__GitHub__WebhookSecretFile"] = Path.Combine(dir.FullName, "secret"),
                ["Mothership__GitHub__TokenFile"] = Path.Combine(dir.FullName, "token"),
                ["Mothership__GitHub__ApiUrl"] = github.BaseUri.ToString(),
                ["Mothership__Ci__Config"] = Path.Combine(dir.FullName, "config.yaml"),
                ["Mothership__Token"] = ApiToken,
            }).ConfigureAwait(false);
            return new Session(github, repository, server, dir, template);
        }

        /// <summary>A new pull request in the fake and GitHub's opened payload for it, signed, with a fresh delivery id.</summary>
        public Delivery NewDelivery(string author)
        {
            var id = Guid.NewGuid().ToString();
            var sha = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(id)));
            var pr = Repository.AddPullRequest(author, sha, "changes", "master");
            var root = _template.DeepClone().AsObject();
            root["number"] = pr.Number;
            root["sender"]!["login"] = author;
            var p = root["pull_request"]!;
            p["number"] = pr.Number;
            p["user"]!["login"] = author;
            p["head"]!["sha"] = sha;
            p["base"]!["sha"] = pr.BaseSha;
            var body = Encoding.UTF8.GetBytes(root.ToJsonString());
            return new Delivery(id, pr.Number, body, WebhookSignature.Sign(HookSecret, body));
        }

        /// <summary>POSTs a delivery as GitHub does (no bearer token: the signature is the credential).</summary>
        public async Task<(int Status, string Text)> PostAsync(Delivery delivery)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "hook") { Content = new ByteArrayContent(delivery.Body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Add("X-GitHub-Event", "pull_request");
            request.Headers.Add("X-GitHub-Delivery", delivery.Id);
            request.Headers.Add("X-Hub-Signature-256", delivery.Signature);
            using var response = await Server.Http.SendAsync(request).ConfigureAwait(false);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync().ConfigureAwait(false));
        }

        /// <summary>Whether the API lists a run labelled with the delivery.</summary>
        public async Task<bool> RunExistsAsync(string delivery)
        {
            var page = JsonNode.Parse(await Api.GetStringAsync($"api/v1/taskruns?labelSelector=mothership.io/delivery%3D{delivery}&limit=1").ConfigureAwait(false))!;
            return page["items"]!.AsArray().Count > 0;
        }

        /// <summary>Every run of the repository, page by page: its delivery label and phase.</summary>
        public async Task<List<(string Name, string Delivery, string Phase)>> RunsAsync()
        {
            var runs = new List<(string, string, string)>();
            string? cursor = null;
            do
            {
                var page = JsonNode.Parse(await Api.GetStringAsync(
                    $"api/v1/taskruns?labelSelector=prow.k8s.io/refs.org%3D{Owner}&limit=500{(cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))}").ConfigureAwait(false))!;
                foreach (var item in page["items"]!.AsArray())
                {
                    runs.Add(((string)item!["name"]!, (string?)item["labels"]?["mothership.io/delivery"] ?? "", (string?)item["phase"] ?? ""));
                }

                cursor = (string?)page["nextCursor"];
            }
            while (cursor is not null);
            return runs;
        }

        /// <summary>What <c>GET /api/v1/deliveries</c> lists (the newest 500 at most), by id.</summary>
        public async Task<Dictionary<string, (DateTimeOffset ReceivedAt, DateTimeOffset? HandledAt, string? Outcome)>> ApiDeliveriesAsync()
        {
            var page = JsonNode.Parse(await Api.GetStringAsync("api/v1/deliveries?limit=500").ConfigureAwait(false))!;
            return page["items"]!.AsArray().ToDictionary(
                i => (string)i!["id"]!,
                i => (i!["receivedAt"]!.GetValue<DateTimeOffset>(), i["handledAt"]?.GetValue<DateTimeOffset>(), (string?)i["outcome"]),
                StringComparer.Ordinal);
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await Server.StopAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Not stopped within 30 s: the dispose below kills it.
                Console.WriteLine("    (the server did not stop within 30 s of SIGTERM: killed)");
            }

            await Server.DisposeAsync().ConfigureAwait(false);
            await GitHub.DisposeAsync().ConfigureAwait(false);
            Api.Dispose();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                _dir.Delete(recursive: true);
            }
            catch (IOException e)
            {
                Console.WriteLine($"    (could not remove {_dir.FullName}: {e.Message})");
            }
        }
    }
}
