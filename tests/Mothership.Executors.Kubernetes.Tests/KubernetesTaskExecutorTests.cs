using System.Collections.Concurrent;
using System.Collections.Immutable;
using k8s;
using Mothership.Engine.Execution;
using Mothership.Executors.Kubernetes.Tests.Pods;
using Mothership.Model.Tekton;
using Mothership.Testing.Kubernetes;

namespace Mothership.Executors.Kubernetes.Tests;

/// <summary>The executor against the fake API server, through the real client over HTTP.</summary>
public sealed class KubernetesTaskExecutorTests : IAsyncLifetime
{
    private FakeKubernetesApi _api = null!;
    private KubernetesTaskExecutor _executor = null!;

    public async ValueTask InitializeAsync()
    {
        _api = await FakeKubernetesApi.StartAsync(new FakeKubernetesApiOptions { BookmarkInterval = TimeSpan.FromMilliseconds(200) }, TestContext.Current.CancellationToken);
        _executor = new KubernetesTaskExecutor(_api.CreateClient(), new KubernetesExecutorOptions { Namespace = "default" });
    }

    public async ValueTask DisposeAsync()
    {
        await _executor.DisposeAsync();
        await _api.DisposeAsync();
    }

    private sealed class Listener : ITaskRunListener
    {
        public ConcurrentQueue<(string Container, string Line)> Logs { get; } = new();

        public ConcurrentQueue<StepState> Steps { get; } = new();

        public void OnLog(TaskRunRequest request, string container, string line) => Logs.Enqueue((container, line));

        public void OnStep(TaskRunRequest request, StepState step) => Steps.Enqueue(step);

        public string[] Lines(string container) => [.. Logs.Where(l => l.Container == container).Select(l => l.Line)];
    }

    private static TaskRunRequest TaskOf(string steps, string extra = "", TimeSpan? timeout = null) => PodBuilderTests.Request(
        $"apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {{name: t{Guid.NewGuid():N}}}\nspec:\n{extra}  steps:\n{steps}",
        timeout: timeout);

    private int Writes() => _api.Requests.Count(r => r.Method is "POST" or "PUT" or "PATCH" or "DELETE");

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_ScriptSteps_SucceedWithLogsResultsAndTwoWrites()
    {
        var request = TaskOf(
            "    - name: hello\n      image: alpine\n      script: |\n        echo hello from $(context.taskRun.name)\n        printf 'v1.2.3' > $(results.version.path)\n" +
            "    - name: list\n      image: alpine\n      script: |\n        #!/bin/sh\n        printf '[\"a\",\"b\"]' > $(results.items.path)\n        echo done\n",
            extra: "  results:\n    - {name: version}\n    - {name: items, type: array}\n");
        var listener = new Listener();

        var outcome = await _executor.RunAsync(request, listener, TestContext.Current.CancellationToken);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal([$"hello from {request.TaskRunName}"], listener.Lines("step-hello"));
        Assert.Equal(["done"], listener.Lines("step-list"));
        Assert.Equal("v1.2.3", outcome.Results.Single(r => r.Name == "version").Value.ToString());
        Assert.Equal(ParamType.Array, outcome.Results.Single(r => r.Name == "items").Value.Type);
        Assert.All(outcome.Steps, s => Assert.Equal(("Completed", 0), (s.TerminationReason, s.ExitCode)));
        Assert.Equal(2, Writes());
        Assert.Empty(_api.Pods);
    }

    [Fact(Timeout = 60_000)]
    public async Task ReleaseRunAsync_ClaimFromTemplateAndLeftoverPod_GoWithTheirRunOnly()
    {
        var request = PodBuilderTests.Request(
            "apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: cache}\nspec:\n  workspaces: [{name: cache}]\n  steps:\n    - {name: fill, image: alpine, script: 'echo x > $(workspaces.cache.path)/f'}\n",
            workspaces: [new WorkspaceBinding { Name = "cache", Source = new VolumeSource { VolumeClaimTemplate = true, ClaimName = "cache" } }]);
        var other = PodBuilderTests.Request(
            "apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: other}\nspec:\n  steps:\n    - {name: s, image: alpine, script: 'sleep 30'}\n") with { PipelineRunUid = "another-run" };
        var runUid = request.PipelineRunUid!;

        Assert.Equal(TaskRunPhase.Succeeded, (await _executor.RunAsync(request, new Listener(), TestContext.Current.CancellationToken)).Phase);
        // A pod of the same run that a dead server left behind, and a pod of a run still going.
        var leftover = Kubernetes.Pods.PodBuilder.Build(request with { TaskRunName = "leftover", RetryCount = 1 }, new KubernetesExecutorOptions { Namespace = "default" }).Pod;
        await _executor.Client.CoreV1.CreateNamespacedPodAsync(leftover, "default", cancellationToken: TestContext.Current.CancellationToken);
        using var stop = new CancellationTokenSource();
        var running = _executor.RunAsync(other, new Listener(), stop.Token);
        await WaitAsync(() => _api.Pods.Count == 2);

        Assert.Equal(new HashSet<string> { runUid, "another-run" }, await _executor.ListHoldingRunsAsync(TestContext.Current.CancellationToken));
        var claim = Assert.Single(_api.PersistentVolumeClaims);
        Assert.Equal(runUid, claim.Metadata.Labels[Mothership.Model.Tekton.Vocabulary.MothershipLabels.RunUid]);

        Assert.Equal(2, await _executor.ReleaseRunAsync(runUid, TestContext.Current.CancellationToken));

        Assert.Empty(_api.PersistentVolumeClaims);
        await WaitAsync(() => _api.Pods.Count == 1);
        Assert.Equal("another-run", _api.Pods.Single().Metadata.Labels[Mothership.Model.Tekton.Vocabulary.MothershipLabels.RunUid]);
        Assert.Equal(new HashSet<string> { "another-run" }, await _executor.ListHoldingRunsAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, await _executor.ReleaseRunAsync(runUid, TestContext.Current.CancellationToken));
        await stop.CancelAsync();
        Assert.Equal(TaskRunPhase.Cancelled, (await running).Phase);
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_AccountWithCredentials_StepsFindCredsInitFilesAndTheSecretGoesWithTheAttempt()
    {
        var request = PodBuilderTests.Request(PodBuilderTests.CredentialsYaml.Replace(
            "                cat $HOME/.ssh/config\n",
            "                cat $HOME/.ssh/config\n                test \"$(cat $HOME/.ssh/id_deploy-key)\" = KEY-MATERIAL\n                test ! -f $HOME/.git-credentials\n                grep -q registry.example.org $HOME/.docker/config.json\n",
            StringComparison.Ordinal)) with { ServiceAccountName = "builder" };
        var listener = new Listener();

        var outcome = await _executor.RunAsync(request, listener, TestContext.Current.CancellationToken);

        Assert.True(outcome.Phase == TaskRunPhase.Succeeded, outcome.Message + string.Join("\n", listener.Logs));
        Assert.Contains("    IdentityFile ~/.ssh/id_deploy-key", listener.Lines("step-clone"));
        Assert.Contains("    Port 2222", listener.Lines("step-clone"));
        Assert.Equal(4, Writes());
        Assert.Empty(_api.Pods);
        Assert.Empty(await _executor.Client.CoreV1.ListNamespacedSecretAsync("default", cancellationToken: TestContext.Current.CancellationToken) is { } list ? list.Items : []);
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_SecretAndConfigMapOfTheRunsFiles_CreatedForThePodAndReleasedWithTheRun()
    {
        var request = PodBuilderTests.Request("""
            apiVersion: v1
            kind: Secret
            metadata: {name: clone-token}
            stringData: {header: s3cr3t-header}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings}
            data: {greeting: hello}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: unused}
            stringData: {x: y}
            ---
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: clone}
            spec:
              steps:
                - name: print
                  image: alpine
                  env:
                    - {name: HEADER, valueFrom: {secretKeyRef: {name: clone-token, key: header}}}
                    - {name: GREETING, valueFrom: {configMapKeyRef: {name: settings, key: greeting}}}
                  script: echo "$GREETING with $HEADER"
            """);
        var listener = new Listener();

        var outcome = await _executor.RunAsync(request, listener, TestContext.Current.CancellationToken);

        Assert.True(outcome.Phase == TaskRunPhase.Succeeded, outcome.Message);
        Assert.Equal(["hello with ***"], listener.Lines("step-print"));
        var secrets = (await _executor.Client.CoreV1.ListNamespacedSecretAsync("default", cancellationToken: TestContext.Current.CancellationToken)).Items;
        var secret = Assert.Single(secrets);
        Assert.Equal("clone-token", secret.Metadata.Name);
        Assert.Equal(request.PipelineRunUid, secret.Metadata.Labels[Mothership.Model.Tekton.Vocabulary.MothershipLabels.RunUid]);
        Assert.Single((await _executor.Client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: TestContext.Current.CancellationToken)).Items, c => c.Metadata.Name == "settings");

        Assert.Equal(2, await _executor.ReleaseRunAsync(request.PipelineRunUid!, TestContext.Current.CancellationToken));

        Assert.Empty((await _executor.Client.CoreV1.ListNamespacedSecretAsync("default", cancellationToken: TestContext.Current.CancellationToken)).Items);
        Assert.DoesNotContain((await _executor.Client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: TestContext.Current.CancellationToken)).Items, c => c.Metadata.Name == "settings");
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_SecretTheClusterHasAlready_UsedAsItIsAndLeftThere()
    {
        var request = PodBuilderTests.Request("""
            apiVersion: v1
            kind: Secret
            metadata: {name: shared}
            stringData: {value: from-the-run}
            ---
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: read}
            spec:
              steps:
                - name: print
                  image: alpine
                  env: [{name: VALUE, valueFrom: {secretKeyRef: {name: shared, key: value}}}]
                  script: echo "$VALUE" | tr a-z A-Z
            """);
        await _executor.Client.CoreV1.CreateNamespacedSecretAsync(
            new k8s.Models.V1Secret { Metadata = new k8s.Models.V1ObjectMeta { Name = "shared" }, Data = new Dictionary<string, byte[]> { ["value"] = "from-the-cluster"u8.ToArray() } },
            "default", cancellationToken: TestContext.Current.CancellationToken);
        var listener = new Listener();

        var outcome = await _executor.RunAsync(request, listener, TestContext.Current.CancellationToken);
        await _executor.ReleaseRunAsync(request.PipelineRunUid!, TestContext.Current.CancellationToken);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal(["FROM-THE-CLUSTER"], listener.Lines("step-print"));
        Assert.Single((await _executor.Client.CoreV1.ListNamespacedSecretAsync("default", cancellationToken: TestContext.Current.CancellationToken)).Items);
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_SecretValuesInLogs_AreMaskedAsLocally()
    {
        var request = PodBuilderTests.Request("""
            apiVersion: v1
            kind: Secret
            metadata: {name: db}
            stringData: {password: hunter2}
            ---
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: leak}
            spec:
              steps:
                - name: print
                  image: alpine
                  env: [{name: PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}]
                  script: echo "the password is $PASSWORD, not hunter3"
            """);
        await _executor.Client.CoreV1.CreateNamespacedSecretAsync(
            new k8s.Models.V1Secret { Metadata = new k8s.Models.V1ObjectMeta { Name = "db" }, Data = new Dictionary<string, byte[]> { ["password"] = "hunter2"u8.ToArray() } },
            "default", cancellationToken: TestContext.Current.CancellationToken);
        var listener = new Listener();

        var outcome = await _executor.RunAsync(request, listener, TestContext.Current.CancellationToken);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal(["the password is ***, not hunter3"], listener.Lines("step-print"));
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_StepWithoutCommand_RunsItsImagesCommandFromTheRegistry()
    {
        await using var executor = new KubernetesTaskExecutor(_api.CreateClient(), new KubernetesExecutorOptions
        {
            Namespace = "default",
            Registries = new Dictionary<string, Uri> { ["mirror.gcr.io"] = _api.BaseUri },
        });
        // busybox has no ENTRYPOINT and CMD ["sh"]: Tekton runs `sh -c …`, bare Kubernetes would run `-c`.
        var request = TaskOf("    - {name: hi, image: mirror.gcr.io/busybox@sha256:1303dbf110c57f3edf68d9f5a16c082ec06c4cf7604831669faf2c712260b5a0, args: [-c, 'echo hello from sh']}\n");
        var listener = new Listener();

        var first = await executor.RunAsync(request, listener, TestContext.Current.CancellationToken);
        var second = await executor.RunAsync(request with { TaskRunName = "again", TaskRunUid = Guid.NewGuid().ToString() }, new Listener(), TestContext.Current.CancellationToken);

        Assert.True(first.Phase == TaskRunPhase.Succeeded, first.Message);
        Assert.Equal(["hello from sh"], listener.Lines("step-hi"));
        Assert.Equal(TaskRunPhase.Succeeded, second.Phase);
        Assert.Equal(1, _api.Registry.ConfigsServed);
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_ImageConfigUnreadable_FailsClearlyWithoutAPod()
    {
        await using var executor = new KubernetesTaskExecutor(_api.CreateClient(), new KubernetesExecutorOptions
        {
            Namespace = "default",
            Registries = new Dictionary<string, Uri> { ["registry.example.org"] = _api.BaseUri, ["down.example.org"] = new Uri("http://127.0.0.1:1") },
        });

        var unknown = await executor.RunAsync(TaskOf("    - {name: s, image: registry.example.org/team/tool:1.0, args: [run]}\n"), new Listener(), TestContext.Current.CancellationToken);
        var down = await executor.RunAsync(TaskOf("    - {name: s, image: down.example.org/tool, args: [run]}\n"), new Listener(), TestContext.Current.CancellationToken);

        Assert.Equal(TaskRunPhase.Failed, unknown.Phase);
        Assert.Contains("image \"registry.example.org/team/tool:1.0\"", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("answered 404", unknown.Message, StringComparison.Ordinal);
        Assert.Equal(TaskRunPhase.Failed, down.Phase);
        Assert.StartsWith("could not read the config of image \"down.example.org/tool\" from http://127.0.0.1:1", down.Message, StringComparison.Ordinal);
        Assert.Equal(0, Writes());
    }

    [Theory]
    [InlineData("busybox", "docker.io", "library/busybox", "latest")]
    [InlineData("docker.io/library/alpine:3.20", "docker.io", "library/alpine", "3.20")]
    [InlineData("mirror.gcr.io/bash@sha256:e3", "mirror.gcr.io", "bash", "sha256:e3")]
    [InlineData("localhost:5000/team/tool:1.2@sha256:ab", "localhost:5000", "team/tool", "sha256:ab")]
    [InlineData("quay.io/org/app", "quay.io", "org/app", "latest")]
    [InlineData("someuser/app:v1", "docker.io", "someuser/app", "v1")]
    public void ImageReference_Parse_AsTheRuntimeReadsIt(string image, string registry, string repository, string reference) =>
        Assert.Equal(new Mothership.Engine.Images.ImageReference(registry, repository, reference), Mothership.Engine.Images.ImageReference.Parse(image));

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_AccountNamesAMissingSecret_FailsWithoutAPod()
    {
        var request = PodBuilderTests.Request(PodBuilderTests.CredentialsYaml.Replace("secrets: [{name: deploy-key}, {name: registry}]", "secrets: [{name: nosuch}]", StringComparison.Ordinal)) with { ServiceAccountName = "builder" };

        var outcome = await _executor.RunAsync(request, new Listener(), TestContext.Current.CancellationToken);

        Assert.Equal(TaskRunPhase.Failed, outcome.Phase);
        Assert.Equal("ServiceAccount \"builder\" names Secret \"nosuch\", which is not defined in the files given", outcome.Message);
        Assert.Equal(0, Writes());
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_StepResults_ReachLaterStepsTheStatusAndTaskResults()
    {
        var request = TaskOf(
            "    - name: make\n      image: alpine\n      results:\n        - {name: digest}\n        - {name: tags, type: array}\n" +
            "      script: |\n        printf 'sha:1 $HOME' > $(step.results.digest.path)\n        printf '[\"a b\", \"c\"]' > $(step.results.tags.path)\n" +
            "    - name: use\n      image: alpine\n      env:\n        - {name: DIGEST, value: \"$(steps.make.results.digest)\"}\n" +
            "      command: [sh, -c, 'printf \"<%s>\" \"$DIGEST\" \"$@\"; echo', sh]\n      args: [\"$(steps.make.results.tags[*])\", \"$(steps.make.results.tags[1])\"]\n",
            extra: "  results:\n    - {name: digest, value: $(steps.make.results.digest)}\n");
        var listener = new Listener();

        var outcome = await _executor.RunAsync(request, listener, TestContext.Current.CancellationToken);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal(["<sha:1 $HOME><a b><c><c>"], listener.Lines("step-use"));
        var make = outcome.Steps.Single(s => s.Name == "make").Results;
        Assert.Equal(["digest", "tags"], make.Select(r => r.Name));
        Assert.Equal(ParamType.Array, make.Single(r => r.Name == "tags").Value.Type);
        Assert.Equal("sha:1 $HOME", outcome.Results.Single(r => r.Name == "digest").Value.ToString());
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_FailingStep_FailsAndSkipsTheRest()
    {
        var request = TaskOf("    - {name: ok, image: alpine, command: [\"true\"]}\n    - {name: bad, image: alpine, script: \"echo broken; exit 3\"}\n    - {name: never, image: alpine, command: [\"true\"]}\n");

        var outcome = await _executor.RunAsync(request, new Listener(), TestContext.Current.CancellationToken);

        Assert.Equal(TaskRunPhase.Failed, outcome.Phase);
        Assert.Equal("\"step-bad\" exited with code 3", outcome.Message);
        Assert.Equal(["Completed", "Error", "Skipped"], outcome.Steps.Select(s => s.TerminationReason));
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_OnErrorContinue_RecordsTheExitCodeAndGoesOn()
    {
        var request = TaskOf(
            "    - {name: lint, image: alpine, onError: continue, command: [sh, -c, \"exit 4\"]}\n" +
            "    - name: report\n      image: alpine\n      script: echo \"lint said $(cat $(steps.lint.exitCode.path))\"\n");
        var listener = new Listener();

        var outcome = await _executor.RunAsync(request, listener, TestContext.Current.CancellationToken);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal(("Continued", 4), (outcome.Steps[0].TerminationReason, outcome.Steps[0].ExitCode));
        Assert.Equal(["lint said 4"], listener.Lines("step-report"));
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_WorkspaceEmptyDir_IsSharedBetweenSteps()
    {
        var request = PodBuilderTests.Request(
            "apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: ws}\nspec:\n  workspaces:\n    - {name: data}\n  steps:\n" +
            "    - {name: write, image: alpine, script: \"echo shared > $(workspaces.data.path)/file\"}\n" +
            "    - {name: read, image: alpine, script: \"cat $(workspaces.data.path)/file\"}\n",
            workspaces: [new WorkspaceBinding { Name = "data", Source = new VolumeSource { EmptyDir = true } }]);
        var listener = new Listener();

        var outcome = await _executor.RunAsync(request, listener, TestContext.Current.CancellationToken);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal(["shared"], listener.Lines("step-read"));
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_Timeout_DeletesThePodAndTimesOut()
    {
        var request = TaskOf("    - {name: slow, image: alpine, command: [sleep, \"30\"]}\n    - {name: after, image: alpine, command: [\"true\"]}\n", timeout: TimeSpan.FromSeconds(2)) with { GracePeriod = TimeSpan.FromSeconds(1) };

        var outcome = await _executor.RunAsync(request, new Listener(), TestContext.Current.CancellationToken);

        Assert.Equal(TaskRunPhase.TimedOut, outcome.Phase);
        Assert.Equal(["TimeoutExceeded", "Skipped"], outcome.Steps.Select(s => s.TerminationReason));
        await WaitAsync(() => _api.Pods.Count == 0);
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_Cancelled_DeletesThePod()
    {
        var request = TaskOf("    - {name: slow, image: alpine, command: [sleep, \"30\"]}\n") with { GracePeriod = TimeSpan.FromSeconds(1) };
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var run = _executor.RunAsync(request, new Listener(), cancel.Token);
        await _api.WaitForPodAsync(PodBuilder(request), StepRunning, cancellationToken: TestContext.Current.CancellationToken);

        await cancel.CancelAsync();
        var outcome = await run;

        Assert.Equal(TaskRunPhase.Cancelled, outcome.Phase);
        Assert.Equal("Cancelled", outcome.Steps[0].TerminationReason);
        await WaitAsync(() => _api.Pods.Count == 0);
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_PodEvicted_FailsWithTheReason()
    {
        var request = TaskOf("    - {name: slow, image: alpine, command: [sleep, \"30\"]}\n");
        var run = _executor.RunAsync(request, new Listener(), TestContext.Current.CancellationToken);
        await _api.WaitForPodAsync(PodBuilder(request), StepRunning, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(_api.Faults.EvictPod(PodBuilder(request)));
        var outcome = await run;

        Assert.Equal(TaskRunPhase.Failed, outcome.Phase);
        Assert.Contains("evicted", outcome.Message, StringComparison.Ordinal);
        Assert.Contains("low on resource", outcome.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_NodeLost_FailsInsteadOfHanging()
    {
        var request = TaskOf("    - {name: slow, image: alpine, command: [sleep, \"30\"]}\n");
        var run = _executor.RunAsync(request, new Listener(), TestContext.Current.CancellationToken);
        await _api.WaitForPodAsync(PodBuilder(request), StepRunning, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(await _api.Faults.LoseNodeOfPodAsync(PodBuilder(request)));
        var outcome = await run;

        Assert.Equal(TaskRunPhase.Failed, outcome.Phase);
        Assert.Contains("disappeared", outcome.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_ApiThrottlesAndFails_RetriesTheCreate()
    {
        _api.Faults.FailNext(1, "POST", "/api/v1/namespaces/default/pods", RequestFault.TooManyRequests, retryAfter: TimeSpan.FromSeconds(1));
        _api.Faults.FailNext(1, "POST", "/api/v1/namespaces/default/pods", RequestFault.InternalError);
        var request = TaskOf("    - {name: ok, image: alpine, script: \"echo ok\"}\n");

        var outcome = await _executor.RunAsync(request, new Listener(), TestContext.Current.CancellationToken);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal(3, _api.Requests.Count(r => r.Method == "POST" && r.Path.EndsWith("/pods", StringComparison.Ordinal)));
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_WatchDroppedAndExpired_StillSeesTheEnd()
    {
        var request = TaskOf("    - {name: wait, image: alpine, script: \"sleep 1; echo ok\"}\n");
        var run = _executor.RunAsync(request, new Listener(), TestContext.Current.CancellationToken);
        await _api.WaitForPodAsync(PodBuilder(request), StepRunning, cancellationToken: TestContext.Current.CancellationToken);

        // Another object changes the store's version, as anything in a cluster does: the watcher's
        // last version is then older than the expired window whenever it has seen every pod event
        // (resuming from the current version is valid and would need no list: the flake of CI13).
        _api.Seed(new k8s.Models.V1ConfigMap { Metadata = new k8s.Models.V1ObjectMeta { Name = "unrelated" } });
        _api.Faults.ExpireWatchWindow();
        _api.Faults.DropWatches();
        var outcome = await run;

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.True(_executor.Watcher.Lists >= 2, $"lists: {_executor.Watcher.Lists}");
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_SidecarLogsResults_LimitEachResultNotTheirSum()
    {
        await using var executor = new KubernetesTaskExecutor(_api.CreateClient(), new KubernetesExecutorOptions { Namespace = "default", ResultsFrom = ResultsFrom.SidecarLogs, MaxResultSize = 4096 });
        var results = "  results:\n    - {name: a}\n    - {name: b}\n";
        var fits = TaskOf("    - {name: two, image: alpine, script: \"head -c 3000 /dev/zero | tr '\\\\0' a > $(results.a.path); head -c 3000 /dev/zero | tr '\\\\0' b > $(results.b.path)\"}\n", extra: results);
        var tooLarge = TaskOf("    - {name: one, image: alpine, script: \"printf a > $(results.a.path); head -c 5000 /dev/zero | tr '\\\\0' b > $(results.b.path)\"}\n", extra: results);

        var ok = await executor.RunAsync(fits, new Listener(), TestContext.Current.CancellationToken);
        var failed = await executor.RunAsync(tooLarge, new Listener(), TestContext.Current.CancellationToken);
        var terminationMessage = await _executor.RunAsync(fits with { TaskRunName = "fits-again", TaskRunUid = Guid.NewGuid().ToString() }, new Listener(), TestContext.Current.CancellationToken);

        Assert.True(ok.Phase == TaskRunPhase.Succeeded, ok.Message);
        Assert.Equal([3000, 3000], ok.Results.Select(r => r.Value.ToString().Length));
        Assert.Equal(TaskRunPhase.Failed, failed.Phase);
        Assert.StartsWith("result \"b\" is 5000 bytes, more than the 4096 one result may be (max-result-size)", failed.Message, StringComparison.Ordinal);
        Assert.Equal(TaskRunPhase.Failed, terminationMessage.Phase);
        Assert.Contains("6000 bytes, more than the 4096 a TaskRun may return", terminationMessage.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_ResultsOverTheLimit_FailClearly()
    {
        var request = TaskOf("    - {name: big, image: alpine, script: \"head -c 5000 /dev/zero | tr '\\\\0' x > $(results.blob.path)\"}\n", extra: "  results:\n    - {name: blob}\n");

        var outcome = await _executor.RunAsync(request, new Listener(), TestContext.Current.CancellationToken);

        Assert.Equal(TaskRunPhase.Failed, outcome.Phase);
        Assert.Contains("5000 bytes, more than the 4096", outcome.Message, StringComparison.Ordinal);
    }

    /// <summary>A pod stays Pending while its init containers (the steps) run: wait for the first step itself.</summary>
    private static bool StepRunning(k8s.Models.V1Pod pod) =>
        pod.Status?.InitContainerStatuses?.Any(s => s.Name.StartsWith("step-", StringComparison.Ordinal) && s.State?.Running is not null) == true;

    private static string PodBuilder(TaskRunRequest request) => Kubernetes.Pods.PodBuilder.PodName(request);

    private static async Task WaitAsync(Func<bool> condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "condition not met in 20 s");
            await System.Threading.Tasks.Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
