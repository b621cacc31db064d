using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Mothership.IntegrationTests.Server;
using static Microsoft.Playwright.Assertions;

namespace Mothership.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard end to end: a real <c>mship server</c> (SQLite), real pipelines, and the pages
/// in headless Chromium. Each test saves full-page screenshots to <c>artifacts/screenshots/</c>.
/// </summary>
[Collection(nameof(DashboardAlone))]
public sealed class DashboardTests(SharedServer shared, SharedBrowser browser, PostgresFixture postgres)
    : ServerTestBase(shared, postgres), IClassFixture<SharedServer>, IClassFixture<SharedBrowser>
{
    protected override StoreBackend Backend => StoreBackend.Sqlite;

    private static readonly string Screenshots = Path.Combine(Fixtures.RepositoryRoot(), "artifacts", "screenshots");

    static DashboardTests() => SetDefaultExpectTimeout(20000);

    /// <summary>a → (b, c); c uses a's result; fin is a finally task; a runs <paramref name="aScript"/>.</summary>
    private static string DiamondYaml(string name, string aScript) => $$"""
        apiVersion: tekton.dev/v1
        kind: Pipeline
        metadata:
          name: {{name}}
        spec:
          params:
            - name: greeting
              default: hi
          tasks:
            - name: a
              taskSpec:
                results:
                  - name: out
                steps:
                  - name: main
                    image: busybox
                    script: |
                      {{aScript}}
            - name: b
              runAfter: [a]
              params:
                - name: greeting
                  value: $(params.greeting)
              taskSpec:
                params:
                  - name: greeting
                steps:
                  - name: main
                    image: busybox
                    script: echo b says $(params.greeting)
            - name: c
              params:
                - name: x
                  value: $(tasks.a.results.out)
              taskSpec:
                params:
                  - name: x
                steps:
                  - name: main
                    image: busybox
                    script: echo c got $(params.x)
          finally:
            - name: fin
              taskSpec:
                steps:
                  - name: main
                    image: busybox
                    script: echo finally
        """;

    /// <summary>
    /// A script for a: a line in red, lines 1 to 10, then it waits for <paramref name="gate"/>
    /// before lines 11 to 20 and its result, so the test sees it running for as long as it needs.
    /// </summary>
    private static string GatedAScript(StepGate gate) =>
        $"printf '\\033[31mred alert\\033[0m plain\\n'; for i in $(seq 1 10); do echo line $i; done; {gate.Wait}; for i in $(seq 11 20); do echo line $i; done; printf hello > $(results.out.path)";

    private async Task<(ServerProcess Server, IPage Page)> OpenAsync()
    {
        var b = await browser.GetAsync(Ct);
        var server = await ServerAsync();
        var context = await b.NewContextAsync(new() { BaseURL = server.Url, ViewportSize = new() { Width = 1400, Height = 1000 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(20000);
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        TestContext.Current.KeyValueStorage["page-errors"] = errors;
        return (server, page);
    }

    private static async Task ShotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(Screenshots);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });
    }

    private static void NoScriptErrors()
    {
        var errors = (List<string>)TestContext.Current.KeyValueStorage["page-errors"]!;
        Assert.True(errors.Count == 0, "script errors in the page:\n" + string.Join("\n", errors));
    }

    [Fact(Timeout = 60000)]
    public async Task RunPage_LiveRun_NodesChangeStateAndLogLinesArrive()
    {
        var (server, page) = await OpenAsync();
        var pipeline = Unique("diamond");
        var gate = new StepGate(server.WorkingDirectory, "diamond");
        await ApplyAsync(server, DiamondYaml(pipeline, GatedAScript(gate)));
        var run = await CreateRunAsync(server, PipelineRunYaml(Unique("dash"), pipeline));

        await page.GotoAsync($"/ui/pipelineruns/{run}?task=a");
        var a = page.Locator("[data-node='a']");
        await Expect(page.Locator("[data-node]")).ToHaveCountAsync(4);
        await Expect(a).ToHaveAttributeAsync("data-state", "Running");
        await Expect(a).ToContainTextAsync("Running");
        await Expect(page.Locator("[data-node='b']")).ToContainTextAsync("Pending");

        // Lines arrive while a is still running (held by its gate): the viewer follows the live log.
        var viewer = page.Locator(".log-viewport");
        await Expect(viewer).ToContainTextAsync("line 10");
        Assert.Equal("Running", await a.GetAttributeAsync("data-state"));
        await Expect(viewer.Locator(".ansi-31")).ToHaveTextAsync("red alert");
        await ShotAsync(page, "pipelinerun-running");
        await gate.OpenAsync(Ct);

        await Expect(a).ToHaveAttributeAsync("data-state", "Succeeded", new() { Timeout = 30000 });
        await Expect(a).ToContainTextAsync("Succeeded");
        await Expect(viewer).ToContainTextAsync("line 20");
        foreach (var node in new[] { "b", "c", "fin" })
        {
            await Expect(page.Locator($"[data-node='{node}']")).ToHaveAttributeAsync("data-state", "Succeeded", new() { Timeout = 30000 });
        }

        await Expect(page.Locator("h1 .state")).ToContainTextAsync("Succeeded");
        await Expect(page.Locator("[data-edge='a->b'].edge-runAfter")).ToHaveCountAsync(1);
        await Expect(page.Locator("[data-edge='a->c'].edge-result")).ToHaveCountAsync(1);
        await Expect(page.Locator(".edge.critical")).Not.ToHaveCountAsync(0);
        await Expect(page.Locator(".lane-label")).ToHaveTextAsync("finally");

        // Keyboard: focus node b, Enter opens its panel with its params and exit codes.
        await page.Locator("[data-node='b']").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#panel-title")).ToContainTextAsync("b");
        await Expect(page.Locator("#task-panel")).ToContainTextAsync("$(params.greeting)");
        await Expect(page.Locator("#task-panel table").First).ToContainTextAsync("hi");
        await Expect(page.Locator("#task-panel [data-exit='0']")).ToHaveCountAsync(1);
        await Expect(viewer).ToContainTextAsync("b says hi");
        await ShotAsync(page, "pipelinerun-taskrun-panel");

        // The log viewer's search and jump to errors.
        await page.Locator("[data-node='a']").ClickAsync();
        await Expect(viewer).ToContainTextAsync("line 20");
        await page.Keyboard.PressAsync("/");
        await page.Keyboard.TypeAsync("line 17");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator(".log-line.current")).ToContainTextAsync("line 17");

        await page.GotoAsync($"/ui/pipelineruns/{run}?view=yaml");
        await Expect(page.Locator("pre.yaml").First).ToContainTextAsync("kind: PipelineRun");
        await Expect(page.Locator("pre.yaml").Nth(1)).ToContainTextAsync("- name: a");
        await ShotAsync(page, "pipelinerun-yaml");
        NoScriptErrors();
    }

    [Fact(Timeout = 60000)]
    public async Task RunPage_LiveRun_UpdatedByPushedChangesWithoutPolling()
    {
        var (server, page) = await OpenAsync();
        var pipeline = Unique("pushed");
        var gate = new StepGate(server.WorkingDirectory, "pushed");
        await ApplyAsync(server, DiamondYaml(pipeline, GatedAScript(gate)));
        var run = await CreateRunAsync(server, PipelineRunYaml(Unique("push"), pipeline));
        var asked = new List<string>();
        page.Request += (_, r) =>
        {
            var path = new Uri(r.Url).AbsolutePath;
            if (path.StartsWith($"/api/v1/pipelineruns/{run}", StringComparison.Ordinal))
            {
                lock (asked)
                {
                    asked.Add(path[$"/api/v1/pipelineruns/{run}".Length..]);
                }
            }
        };
        // How each stream of the run's changes ended, for the assertion messages: a second stream
        // is opened only when the first ended without the run's end.
        var streams = new List<string>();
        void Stream(string what, IRequest r)
        {
            if (new Uri(r.Url).AbsolutePath.EndsWith($"/{run}/watch", StringComparison.Ordinal))
            {
                lock (streams)
                {
                    streams.Add($"{TimeProvider.System.GetUtcNow():HH:mm:ss.fff} {what}");
                }
            }
        }

        page.Response += (_, r) => Stream($"response {r.Status}", r.Request);
        page.RequestFinished += (_, r) => Stream("finished", r);
        page.RequestFailed += (_, r) => Stream($"failed: {r.Failure}", r);
        int Count(string suffix)
        {
            lock (asked)
            {
                return asked.Count(a => a == suffix);
            }
        }

        string Streams()
        {
            lock (streams)
            {
                var log = string.Join("\n", server.Output.Split('\n').Where(l => l.Contains("watch", StringComparison.OrdinalIgnoreCase)).TakeLast(20));
                return $"the streams: {string.Join("; ", streams)}\nthe server's lines about watches:\n{log}";
            }
        }

        await page.GotoAsync($"/ui/pipelineruns/{run}");
        var a = page.Locator("[data-node='a']");
        await Expect(a).ToHaveAttributeAsync("data-state", "Running");
        // A window in which the page, were it polling, would have asked for the run and its graph
        // again (it used to, every second); here only the one stream is open.
        await page.WaitForTimeoutAsync(3000);
        Assert.True(Count("/watch") == 1, Streams());
        Assert.Equal(1, Count(""));
        Assert.True(Count("/graph") <= 1, string.Join(", ", asked));
        await gate.OpenAsync(Ct);

        foreach (var node in new[] { "a", "b", "c", "fin" })
        {
            await Expect(page.Locator($"[data-node='{node}']")).ToHaveAttributeAsync("data-state", "Succeeded", new() { Timeout = 30000 });
        }

        await Expect(page.Locator("h1 .state")).ToContainTextAsync("Succeeded");
        // The run object once more at the end (its results); the graph never: its changes were pushed.
        Assert.True(Count("") <= 2, string.Join(", ", asked));
        Assert.True(Count("/graph") <= 1, string.Join(", ", asked));
        Assert.True(Count("/watch") == 1, Streams());
        NoScriptErrors();
    }

    [Fact(Timeout = 60000)]
    public async Task RunPage_CancelAndRerun_AskForConfirmation()
    {
        var (server, page) = await OpenAsync();
        var pipeline = Unique("long");
        await ApplyAsync(server, DiamondYaml(pipeline, "echo started; sleep 60"));
        var run = await CreateRunAsync(server, PipelineRunYaml(Unique("dash-cancel"), pipeline));

        await page.GotoAsync($"/ui/pipelineruns/{run}");
        await Expect(page.Locator("[data-node='a']")).ToHaveAttributeAsync("data-state", "Running");
        await page.GetByRole(AriaRole.Button, new() { Name = "⊘ Cancel…" }).ClickAsync();
        var dialog = page.Locator("dialog#confirm");
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog).ToContainTextAsync($"Cancel {run}?");
        await ShotAsync(page, "pipelinerun-cancel-dialog");
        // Back leaves the run alone.
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Back" }).ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
        Assert.Equal("Running", Reason(await GetJsonAsync(server, $"api/v1/pipelineruns/{run}")));

        await page.GetByRole(AriaRole.Button, new() { Name = "⊘ Cancel…" }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel run" }).ClickAsync();
        await Expect(page.Locator("h1 .state")).ToContainTextAsync("Cancelled", new() { Timeout = 30000 });
        await Expect(page.Locator("[data-node='a']")).ToHaveAttributeAsync("data-state", "Cancelled");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "⊘ Cancel…" })).ToBeDisabledAsync();
        await ShotAsync(page, "pipelinerun-cancelled");

        await page.GetByRole(AriaRole.Button, new() { Name = "↻ Rerun…" }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Rerun" }).ClickAsync();
        await Expect(page).Not.ToHaveURLAsync(new Regex($"/{Regex.Escape(run)}$"));
        var copy = Uri.UnescapeDataString(new Uri(page.Url).Segments[^1]);
        await Expect(page.Locator("[data-node='a']")).ToHaveAttributeAsync("data-state", "Running");
        var (status, _, text) = await PostAsync(server, $"api/v1/pipelineruns/{copy}/cancel", """{"status":"Cancelled"}""", "application/json");
        Assert.True(status == System.Net.HttpStatusCode.Accepted, text);
        await WaitForFinishAsync(server, copy);
        NoScriptErrors();
    }

    [Fact(Timeout = 60000)]
    public async Task RunsList_Filters_PaginationAndLiveStatus()
    {
        var (server, page) = await OpenAsync();
        var team = Unique("team");
        var ok = Unique("ok");
        var bad = Unique("bad");
        var slow = Unique("slow");
        await ApplyAsync(server, TaskAndPipelineYaml(ok, "echo fine"));
        await ApplyAsync(server, TaskAndPipelineYaml(bad, "echo broken; exit 3"));
        var slowGate = new StepGate(server.WorkingDirectory, "slow");
        await ApplyAsync(server, TaskAndPipelineYaml(slow, slowGate.Wait));
        var runs = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            runs.Add(await CreateRunAsync(server, PipelineRunYaml(Unique("ok"), ok, $"team: {team}")));
        }

        var failed = await CreateRunAsync(server, PipelineRunYaml(Unique("bad"), bad, $"team: {team}\n    mothership.io/site: {team}-eu"));
        foreach (var r in runs.Append(failed))
        {
            await WaitForFinishAsync(server, r);
        }

        // Filter by pipeline, two per page.
        await page.GotoAsync($"/?pipeline={ok}&limit=2");
        var rows = page.Locator("table.runs tbody tr");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(page.Locator("table.runs tbody tr[data-state='Succeeded']")).ToHaveCountAsync(2);
        await ShotAsync(page, "pipelineruns-list");
        await page.GetByRole(AriaRole.Link, new() { Name = "Next →" }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(page.Locator(".pager")).ToContainTextAsync("Page 2");
        await page.GetByRole(AriaRole.Link, new() { Name = "← Previous" }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(2);

        // Filter by status and label through the form.
        await page.GotoAsync("/");
        await page.GetByLabel("Labels").FillAsync($"team={team}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply filters" }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(4);
        await page.GetByLabel("Status").SelectOptionAsync("Failed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply filters" }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(page.Locator($"tr[data-run='{failed}']")).ToContainTextAsync("Failed");
        Assert.Contains("status=Failed", page.Url, StringComparison.Ordinal);

        // Site is the mothership.io/site label.
        await page.GotoAsync("/");
        await page.GetByLabel("Site").FillAsync($"{team}-eu");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply filters" }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(page.Locator($"tr[data-run='{failed}']")).ToHaveCountAsync(1);

        // Live: a run started while the list is open appears, then turns from Running to Succeeded.
        await page.GotoAsync($"/?pipeline={slow}");
        await Expect(page.Locator(".empty")).ToBeVisibleAsync();
        var live = await CreateRunAsync(server, PipelineRunYaml(Unique("slow"), slow));
        var row = page.Locator($"tr[data-run='{live}']");
        await Expect(row).ToHaveAttributeAsync("data-state", "Running");
        await Expect(row).ToContainTextAsync("Running");
        await slowGate.OpenAsync(Ct);
        await Expect(row).ToHaveAttributeAsync("data-state", "Succeeded", new() { Timeout = 30000 });
        await Expect(page.Locator("#live")).ToContainTextAsync($"{live}: Succeeded");
        NoScriptErrors();
    }

    [Fact(Timeout = 60000)]
    public async Task TaskRuns_NavigationListAndPage_StandaloneTaskRunShownWithItsLog()
    {
        // Issue 20, 4 and 9: standalone TaskRuns had a page but no way to it, and the TaskRuns
        // PipelineRuns made were in no list.
        var (server, page) = await OpenAsync();
        var pipeline = Unique("made");
        await ApplyAsync(server, TaskAndPipelineYaml(pipeline, "echo made by a pipeline"));
        var parent = await CreateRunAsync(server, PipelineRunYaml(Unique("made"), pipeline));
        await WaitForFinishAsync(server, parent);
        var name = Unique("lone");
        await CreateRunAsync(server, $"apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {{name: {name}}}\nspec:\n  taskSpec:\n    steps:\n      - {{name: say, image: bash, script: echo from a lone task}}\n", "taskruns");
        await WaitForFinishAsync(server, name, "taskruns");

        // A child opens its PipelineRun's page at its task.
        await page.GotoAsync("/ui/taskruns");
        var child = page.Locator($"tr[data-run='{parent}-only']");
        await Expect(child).ToContainTextAsync($"only of {parent}");
        await child.ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/ui/pipelineruns/{Regex.Escape(parent)}\\?task=only$"));

        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "TaskRuns" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/ui/taskruns$"));
        await Expect(page.Locator("h1")).ToHaveTextAsync("TaskRuns");
        var row = page.Locator($"tr[data-run='{name}']");
        await Expect(row).ToHaveAttributeAsync("data-state", "Succeeded");
        await ShotAsync(page, "taskruns-list");

        await row.ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/ui/taskruns/{Regex.Escape(name)}$"));
        await Expect(page.Locator(".log-viewport")).ToContainTextAsync("from a lone task", new() { Timeout = 30000 });
        await ShotAsync(page, "taskrun");
        NoScriptErrors();
    }

    [Fact(Timeout = 60000)]
    public async Task PullRequests_JobResultsByPullRequest_LatestPerJobOnTheHeadCommit()
    {
        var (server, page) = await OpenAsync();
        var name = Unique("unit");
        await CreateRunAsync(server, $"apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {{name: {name}}}\nspec:\n  taskSpec:\n    steps:\n      - {{name: test, image: bash, script: echo tested}}\n", "taskruns");
        var run = await WaitForFinishAsync(server, name, "taskruns");
        var repository = Unique("octo") + "/hello";
        // The CI bot's records, written to the server's own store as its trigger writes them.
        await using (var store = Mothership.Store.RunStoreFactory.Open(server.Database, TimeProvider.System))
        {
            var at = TimeProvider.System.GetUtcNow();
            Mothership.Store.JobResult Result(string job, string sha, string state, string runName, int seconds) => new()
            {
                Uid = Guid.NewGuid().ToString(), RunKind = "TaskRun", RunName = runName, Job = job, Type = "presubmit", Repository = repository, Pull = 7,
                Sha = sha, BaseRef = "main", Context = job, Optional = job == "lint", State = state, Reported = state, Done = true,
                CreatedAt = at.AddSeconds(seconds), UpdatedAt = at.AddSeconds(seconds),
            };
            await store.AddJobResultAsync(Result("unit", "aaaaaaaaaa", "failure", "old-run", 0), Ct);
            await store.AddJobResultAsync(Result("unit", "bbbbbbbbbb", "success", (string)run["metadata"]!["name"]!, 1), Ct);
            await store.AddJobResultAsync(Result("lint", "bbbbbbbbbb", "failure", "gone-run", 2), Ct);

            // e2e failed and then passed on the same commit: a flake.
            await store.AddJobResultAsync(Result("e2e", "bbbbbbbbbb", "failure", "e2e-1", 3), Ct);
            await store.AddJobResultAsync(Result("e2e", "bbbbbbbbbb", "success", "e2e-2", 4), Ct);
        }

        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Pull requests" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/ui/pulls$"));
        var pull = page.Locator($"section[data-pull='{repository}#7']");
        await Expect(pull.Locator("h2")).ToContainTextAsync($"{repository} #7 bbbbbbb");
        await Expect(pull.Locator("tr[data-job]")).ToHaveCountAsync(3);
        await Expect(pull.Locator("tr[data-job='e2e'] .state")).ToHaveAttributeAsync("data-state", "Succeeded");
        var flakes = page.GetByRole(AriaRole.Region, new() { Name = "Flaky jobs" });
        await Expect(flakes.Locator("tbody tr")).ToHaveCountAsync(1);
        await Expect(flakes.Locator("tbody tr")).ToContainTextAsync("e2e");
        await Expect(flakes.Locator("tbody tr td.num")).ToHaveTextAsync("1");
        await Expect(pull.Locator("tr[data-job='unit'] .state")).ToHaveAttributeAsync("data-state", "Succeeded");
        await Expect(pull.Locator("tr[data-job='lint'] .state")).ToHaveAttributeAsync("data-state", "Failed");
        await Expect(pull.Locator("tr[data-job='lint']")).ToContainTextAsync("optional");
        await ShotAsync(page, "pulls");

        await pull.GetByRole(AriaRole.Link, new() { Name = "unit" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/ui/taskruns/{Regex.Escape(name)}$"));
        NoScriptErrors();
    }

    [Fact(Timeout = 60000)]
    public async Task Pages_PipelinesTasksAndKeyboard()
    {
        var (server, page) = await OpenAsync();
        var name = Unique("kb");
        await ApplyAsync(server, TaskAndPipelineYaml(name, "echo keyboard"));
        var run = await CreateRunAsync(server, PipelineRunYaml(Unique("kb"), name));
        await WaitForFinishAsync(server, run);

        await page.GotoAsync("/ui/pipelines");
        var pipelineRow = page.Locator($"tr[data-name='{name}']");
        await Expect(pipelineRow).ToHaveCountAsync(1);
        await pipelineRow.GetByRole(AriaRole.Button, new() { Name = "Show YAML" }).ClickAsync();
        await Expect(page.Locator("tr.doc-row:not([hidden]) pre")).ToContainTextAsync("kind: Pipeline");
        await ShotAsync(page, "pipelines");

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Tasks" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/ui/tasks$"));
        await Expect(page.Locator($"tr[data-name='{name}']")).ToHaveCountAsync(1);
        await ShotAsync(page, "tasks");

        // Keyboard only: Tab to the run's row, Enter opens it.
        await page.GotoAsync($"/?pipeline={name}");
        var row = page.Locator($"tr[data-run='{run}']");
        await Expect(row).ToHaveCountAsync(1);
        var clock = Stopwatch.StartNew();
        while (!await row.EvaluateAsync<bool>("r => r === document.activeElement"))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), "Tab never reached the run's row");
            await page.Keyboard.PressAsync("Tab");
        }

        await page.Keyboard.PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(new Regex($"/ui/pipelineruns/{Regex.Escape(run)}$"));
        await Expect(page.Locator("[data-node='only']")).ToHaveAttributeAsync("data-state", "Succeeded");
        await Expect(page.Locator("h1 .state")).ToContainTextAsync("✓ Succeeded");
        NoScriptErrors();
    }

    // Generous waits: on a loaded 2-core machine paging to line 100,000 of 51 MB once took over 20 s,
    // and the server-side search for errors in it over 45 s while the example suites ran beside it.
    [Fact(Timeout = 360000)]
    public async Task LogViewer_FiftyMegabyteLog_RendersOnlyVisibleLinesAndJumpsToErrors()
    {
        var (server, page) = await OpenAsync();
        var name = Unique("big");
        // 600,000 lines of 85 bytes: 51 MB in one step's log, an ERROR every 100,000 lines.
        await ApplyAsync(server, TaskAndPipelineYaml(name,
            "seq 1 600000 | awk '{printf \"%07d the quick brown fox jumps over the lazy dog, again and again and again %s\\n\", $1, ($1 % 100000 == 0 ? \"ERROR!\" : \"ok....\")}'"));
        var run = await CreateRunAsync(server, PipelineRunYaml(Unique("big"), name));
        await WaitForFinishAsync(server, run, seconds: 60);

        await page.GotoAsync($"/ui/pipelineruns/{run}?task=only");
        await Expect(page.Locator(".log-viewport")).ToContainTextAsync("0000001 the quick", new() { Timeout = 30000 });
        // Virtualised: a screenful of rows in the DOM, not 600,000.
        Assert.InRange(await page.Locator(".log-line").CountAsync(), 1, 200);
        await page.Locator(".log-viewport").FocusAsync();
        await page.Keyboard.PressAsync("e");
        await Expect(page.Locator(".log-line.current")).ToContainTextAsync("0100000 ", new() { Timeout = 90000 });
        await page.Keyboard.PressAsync("e");
        await Expect(page.Locator(".log-line.current")).ToContainTextAsync("0200000 ", new() { Timeout = 90000 });
        await page.Keyboard.PressAsync("/");
        await page.Keyboard.TypeAsync("0599999");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator(".log-line.current")).ToContainTextAsync("0599999 ", new() { Timeout = 90000 });
        await ShotAsync(page, "log-viewer-50mb");
        NoScriptErrors();
    }

    [Fact(Timeout = 30000)]
    public async Task Assets_ServedFromTheAssembly_WithETagsAndClientRoutes()
    {
        var server = await ServerAsync();
        foreach (var path in new[] { "/", "/ui/pipelines", "/ui/pipelineruns/any-name" })
        {
            using var page = await server.Http.GetAsync(path.TrimStart('/'), Ct);
            Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            Assert.Contains("/assets/app.js", await page.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
            Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        }

        using var script = await server.Http.GetAsync("assets/app.js", Ct);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        var etag = script.Headers.ETag!;
        using var again = new HttpRequestMessage(HttpMethod.Get, "assets/app.js");
        again.Headers.IfNoneMatch.Add(etag);
        using var notModified = await server.Http.SendAsync(again, Ct);
        Assert.Equal(System.Net.HttpStatusCode.NotModified, notModified.StatusCode);
        using var missing = await server.Http.GetAsync("assets/nope.js", Ct);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);
    }
}

/// <summary>
/// The dashboard's browser tests run with no other test beside them: under the full suite's load
/// on two cores, the server-side error search of the 50 MB log once took longer than 90 s.
/// </summary>
[CollectionDefinition(nameof(DashboardAlone), DisableParallelization = true)]
public sealed class DashboardAlone;
