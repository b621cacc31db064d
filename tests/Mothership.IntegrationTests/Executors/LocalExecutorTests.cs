using Mothership.Engine.Execution;
using Mothership.Model.Tekton;

namespace Mothership.IntegrationTests.Executors;

public sealed class LocalExecutorTests : IDisposable
{
    private readonly ExecutorFixture _fx = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _fx.Dispose();

    private const string Header = """
        apiVersion: tekton.dev/v1
        kind: Task
        metadata: {name: t}
        spec:

        """;

    [Fact(Timeout = 30000)]
    public async Task RunAsync_StepsShareWorkingDir_RunInOrder()
    {
        var request = ExecutorFixture.Request(Header + """
              steps:
                - name: one
                  script: echo first > f.txt
                - name: two
                  script: |
                    cat f.txt
                    echo second
            """);
        var outcome = await _fx.Executor().RunAsync(request, _fx.Listener, Ct);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal(["first", "second"], _fx.Listener.LinesOf("step-two"));
        Assert.Equal(["one", "two"], outcome.Steps.Select(s => s.Name));
        Assert.All(outcome.Steps, s => Assert.Equal("Completed", s.TerminationReason));
    }

    [Fact(Timeout = 30000)]
    public async Task RunAsync_ScriptWithShebang_RunsInterpreter()
    {
        var request = ExecutorFixture.Request(Header + """
              steps:
                - script: |
                    #!/usr/bin/env python3
                    print("from", "python")
            """);
        var outcome = await _fx.Executor().RunAsync(request, _fx.Listener, Ct);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal("unnamed-0", outcome.Steps.Single().Name);
        Assert.Equal(["from python"], _fx.Listener.LinesOf("step-unnamed-0"));
    }

    [Fact(Timeout = 30000)]
    public async Task RunAsync_StringResultWithNewline_KeptByteForByte()
    {
        var request = ExecutorFixture.Request(Header + """
              results:
                - name: r
                - name: list
                  type: array
                - name: never
              steps:
                - script: |
                    echo hello > $(results.r.path)
                    echo -n '["a","b"]' > $(results.list.path)
            """);
        var outcome = await _fx.Executor().RunAsync(request, _fx.Listener, Ct);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal(
            [new RunResult("r", ParamValue.Of("hello\n")), new RunResult("list", ParamValue.Of(["a", "b"]))],
            outcome.Results);
    }

    [Fact(Timeout = 30000)]
    public async Task RunAsync_InvalidArrayResult_Fails()
    {
        var request = ExecutorFixture.Request(Header + """
              results:
                - name: list
                  type: array
              steps:
                - script: echo -n 'not json' > $(results.list.path)
            """);
        var outcome = await _fx.Executor().RunAsync(request, _fx.Listener, Ct);

        Assert.Equal(TaskRunPhase.Failed, outcome.Phase);
        Assert.Contains("\"list\"", outcome.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30000)]
    public async Task RunAsync_OnErrorContinue_RecordsExitCodeAndGoesOn()
    {
        var request = ExecutorFixture.Request(Header + """
              steps:
                - name: bad
                  onError: continue
                  script: exit 3
                - name: after
                  script: cat $(steps.step-bad.exitCode.path)
            """);
        var outcome = await _fx.Executor().RunAsync(request, _fx.Listener, Ct);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal(3, outcome.Steps[0].ExitCode);
        Assert.Equal("Continued", outcome.Steps[0].TerminationReason);
        Assert.Equal("Error", outcome.Steps[0].Reason);
        Assert.Equal(["3"], _fx.Listener.LinesOf("step-after"));
    }

    [Fact(Timeout = 30000)]
    public async Task RunAsync_FailingStep_SkipsRest()
    {
        var request = ExecutorFixture.Request(Header + """
              steps:
                - name: build
                  command: [bash, -c, "exit 7"]
                - name: never
                  script: echo should not run
            """);
        var outcome = await _fx.Executor().RunAsync(request, _fx.Listener, Ct);

        Assert.Equal(TaskRunPhase.Failed, outcome.Phase);
        Assert.Equal("\"step-build\" exited with code 7", outcome.Message);
        Assert.Equal(7, outcome.Steps[0].ExitCode);
        Assert.Equal("Skipped", outcome.Steps[1].TerminationReason);
        Assert.Null(outcome.Steps[1].ExitCode);
        Assert.Empty(_fx.Listener.LinesOf("step-never"));
    }

    [Fact(Timeout = 30000)]
    public async Task RunAsync_ScriptWithoutShebang_StopsAtFirstError()
    {
        var request = ExecutorFixture.Request(Header + """
              steps:
                - script: |
                    false
                    echo unreachable
            """);
        var outcome = await _fx.Executor().RunAsync(request, _fx.Listener, Ct);

        Assert.Equal(TaskRunPhase.Failed, outcome.Phase);
        Assert.Empty(_fx.Listener.LinesOf("step-unnamed-0"));
    }

    [Fact(Timeout = 30000)]
    public async Task RunAsync_Timeout_KillsProcessTree()
    {
        var pidFile = Path.Combine(_fx.Root, "..", "pid");
        var request = ExecutorFixture.Request(Header + $$"""
              steps:
                - name: slow
                  script: |
                    sleep 1000 &
                    echo $! > {{pidFile}}
                    wait
            """) with { Timeout = TimeSpan.FromSeconds(1) };
        var outcome = await _fx.Executor().RunAsync(request, _fx.Listener, Ct);

        Assert.Equal(TaskRunPhase.TimedOut, outcome.Phase);
        Assert.Equal("TaskRun \"tr\" failed to finish within \"1s\"", outcome.Message);
        Assert.Equal("TimeoutExceeded", outcome.Steps[0].TerminationReason);
        var pid = File.ReadAllText(pidFile).Trim();
        await WaitGoneAsync(pid);
    }

    [Fact(Timeout = 30000)]
    public async Task RunAsync_StepTimeout_FailsStep()
    {
        var request = ExecutorFixture.Request(Header + """
              steps:
                - name: slow
                  timeout: 500ms
                  script: sleep 100
                - name: never
                  script: "true"
            """);
        var outcome = await _fx.Executor().RunAsync(request, _fx.Listener, Ct);

        Assert.Equal(TaskRunPhase.Failed, outcome.Phase);
        Assert.Equal("TimeoutExceeded", outcome.Steps[0].TerminationReason);
        Assert.Equal("Skipped", outcome.Steps[1].TerminationReason);
    }

    [Fact(Timeout = 30000)]
    public async Task RunAsync_Cancelled_StopsWithCancelledOutcome()
    {
        var pidFile = Path.Combine(_fx.Root, "..", "pid");
        var request = ExecutorFixture.Request(Header + $$"""
              steps:
                - name: slow
                  script: |
                    trap '' TERM
                    sleep 1000 &
                    echo $! > {{pidFile}}
                    wait
            """);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = _fx.Executor().RunAsync(request, _fx.Listener, cts.Token);
        await WaitUntilAsync(() => File.Exists(pidFile) && File.ReadAllText(pidFile).Trim().Length > 0);
        await cts.CancelAsync();
        var outcome = await run;

        Assert.Equal(TaskRunPhase.Cancelled, outcome.Phase);
        Assert.Equal("TaskRun \"tr\" was cancelled", outcome.Message);
        await WaitGoneAsync(File.ReadAllText(pidFile).Trim());
    }

    [Fact(Timeout = 30000)]
    public async Task RunAsync_ConfigMapAndSecret_EnvAndWorkspaceAndMasking()
    {
        var request = ExecutorFixture.Request("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: cfg}
            data: {color: blue}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: creds}
            stringData: {token: s3cr3t-value}
            ---

            """ + Header + """
              workspaces:
                - name: conf
                - name: sec
              steps:
                - env:
                    - name: COLOR
                      valueFrom: {configMapKeyRef: {name: cfg, key: color}}
                    - name: TOKEN
                      valueFrom: {secretKeyRef: {name: creds, key: token}}
                  envFrom:
                    - prefix: CFG_
                      configMapRef: {name: cfg}
                  script: |
                    echo "color=$COLOR $CFG_color"
                    echo "token=$TOKEN"
                    echo "file=$(cat $(workspaces.conf.path)/color)"
                    echo "secretfile=$(cat $(workspaces.sec.path)/token)"
            """) with
        {
            Workspaces =
            [
                ExecutorFixture.Binding("conf", new VolumeSource { ConfigMapName = "cfg" }),
                ExecutorFixture.Binding("sec", new VolumeSource { SecretName = "creds" }),
            ],
        };
        var outcome = await _fx.Executor().RunAsync(request, _fx.Listener, Ct);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal(["color=blue blue", "token=***", "file=blue", "secretfile=***"], _fx.Listener.LinesOf("step-unnamed-0"));
    }

    [Fact(Timeout = 30000)]
    public async Task RunAsync_MissingSecretKey_FailsWithMessage()
    {
        var request = ExecutorFixture.Request(Header + """
              steps:
                - env:
                    - name: TOKEN
                      valueFrom: {secretKeyRef: {name: nope, key: token}}
                  script: echo never
            """);
        var outcome = await _fx.Executor().RunAsync(request, _fx.Listener, Ct);

        Assert.Equal(TaskRunPhase.Failed, outcome.Phase);
        Assert.Contains("secret \"nope\" not found", outcome.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30000)]
    public async Task RunAsync_MissingRequiredWorkspace_Fails()
    {
        var request = ExecutorFixture.Request(Header + """
              workspaces:
                - name: src
                - name: opt
                  optional: true
              steps:
                - script: echo "$(workspaces.opt.bound)"
            """);
        var outcome = await _fx.Executor().RunAsync(request, _fx.Listener, Ct);

        Assert.Equal(TaskRunPhase.Failed, outcome.Phase);
        Assert.Contains("[src]", outcome.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30000)]
    public async Task RunAsync_OptionalWorkspaceUnbound_BoundIsFalse()
    {
        var request = ExecutorFixture.Request(Header + """
              workspaces:
                - name: opt
                  optional: true
              steps:
                - script: echo "bound=$(workspaces.opt.bound) path=[$(workspaces.opt.path)]"
            """);
        var outcome = await _fx.Executor().RunAsync(request, _fx.Listener, Ct);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal(["bound=false path=[]"], _fx.Listener.LinesOf("step-unnamed-0"));
    }

    [Fact(Timeout = 30000)]
    public async Task RunAsync_VolumeClaimTemplate_SharedWithinPipelineRunButEmptyDirIsNot()
    {
        const string Yaml = Header + """
              workspaces:
                - name: shared
                - name: scratch
              steps:
                - script: |
                    cat $(workspaces.shared.path)/f 2>/dev/null || echo none
                    cat $(workspaces.scratch.path)/f 2>/dev/null || echo none
                    echo written > $(workspaces.shared.path)/f
                    echo written > $(workspaces.scratch.path)/f
            """;
        TaskRunRequest Make(string name) => ExecutorFixture.Request(Yaml, name) with
        {
            PipelineRunUid = "pr-1",
            Workspaces =
            [
                ExecutorFixture.Binding("shared", new VolumeSource { VolumeClaimTemplate = true, ClaimName = "shared" }),
                ExecutorFixture.Binding("scratch", new VolumeSource { EmptyDir = true }),
            ],
        };

        var first = await _fx.Executor().RunAsync(Make("a"), _fx.Listener, Ct);
        var second = await _fx.Executor().RunAsync(Make("b"), _fx.Listener, Ct);

        Assert.Equal(TaskRunPhase.Succeeded, first.Phase);
        Assert.Equal(TaskRunPhase.Succeeded, second.Phase);
        Assert.Equal(["none", "none", "written", "none"], _fx.Listener.LinesOf("step-unnamed-0"));
    }

    [Fact(Timeout = 30000)]
    public async Task RunAsync_TektonPaths_BoundToAttemptDirectories()
    {
        var request = ExecutorFixture.Request(Header + """
              workspaces:
                - name: ws
              results:
                - name: r
              steps:
                - script: |
                    echo hi > /workspace/ws/file
                    echo -n x > /tekton/results/r
                    echo "home=$HOME pwd=$(pwd) path=$(workspaces.ws.path)"
            """) with
        {
            Workspaces = [ExecutorFixture.Binding("ws", new VolumeSource { ClaimName = "data" })],
        };
        var outcome = await _fx.Executor().RunAsync(request, _fx.Listener, Ct);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal([new RunResult("r", ParamValue.Of("x"))], outcome.Results);
        Assert.Equal(["home=/tekton/home pwd=/workspace path=/workspace/ws"], _fx.Listener.LinesOf("step-unnamed-0"));
        Assert.Equal("hi\n", File.ReadAllText(Path.Combine(_fx.Root, "..", "volumes", "data", "file")));
    }

    [Fact(Timeout = 30000)]
    public async Task RunAsync_VolumeMounts_BindTaskVolumes()
    {
        var request = ExecutorFixture.Request("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: cfg}
            data: {color: blue}
            ---

            """ + Header + """
              volumes:
                - name: conf
                  configMap: {name: cfg}
                - name: cache
                  emptyDir: {}
              steps:
                - volumeMounts:
                    - {name: conf, mountPath: /etc/conf}
                    - {name: cache, mountPath: /cache}
                  script: |
                    cat /etc/conf/color
                    echo kept > /cache/x
                - volumeMounts:
                    - {name: cache, mountPath: /cache}
                  script: cat /cache/x
            """);
        var outcome = await _fx.Executor().RunAsync(request, _fx.Listener, Ct);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal(["blue"], _fx.Listener.LinesOf("step-unnamed-0"));
        Assert.Equal(["kept"], _fx.Listener.LinesOf("step-unnamed-1"));
    }

    [Fact(Timeout = 30000)]
    public async Task RunAsync_Sandbox_HostReadOnlyAndNoNetwork()
    {
        var request = ExecutorFixture.Request(Header + """
              workspaces:
                - name: ws
              steps:
                - script: |
                    touch /usr/mothership-sandbox-probe 2>/dev/null && echo usr=writable || echo usr=readonly
                    echo ok > $(workspaces.ws.path)/f && echo ws=writable
                    (exec 3<>/dev/tcp/10.255.255.1/80) 2>/dev/null && echo net=yes || echo net=no
                    awk -F: 'NR > 2 { gsub(/ /, "", $1); print $1 }' /proc/net/dev
            """) with
        {
            Workspaces = [ExecutorFixture.Binding("ws", new VolumeSource { EmptyDir = true })],
        };
        var outcome = await _fx.Executor(sandbox: true).RunAsync(request, _fx.Listener, Ct);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal(["usr=readonly", "ws=writable", "net=no", "lo"], _fx.Listener.LinesOf("step-unnamed-0"));
        Assert.False(File.Exists("/usr/mothership-sandbox-probe"));
    }

    [Theory(Timeout = 30000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RunAsync_MountPathsTheHostLacks_StepsUseThemAndTheHostKeepsNothing(bool sandbox)
    {
        Assert.SkipUnless(File.Exists("/usr/bin/bwrap"), "volume mounts need bubblewrap (/usr/bin/bwrap), which is not installed");
        // As the Catalog's git-clone mounts /home/git: a path under a host directory that lacks it.
        var unique = "mship-probe-" + Guid.NewGuid().ToString("N")[..8];
        var volumePath = $"/usr/local/{unique}/git";
        var workspacePath = $"/usr/local/{unique}-ws";
        var workingDir = $"/usr/local/{unique}-wd/src";
        var request = ExecutorFixture.Request(Header + $$"""
              volumes:
                - name: home
                  emptyDir: {}
              workspaces:
                - name: source
                  mountPath: {{workspacePath}}
              steps:
                - name: write
                  volumeMounts: [{name: home, mountPath: {{volumePath}}}]
                  script: |
                    echo key > {{volumePath}}/id
                    echo code > $(workspaces.source.path)/main
                - name: read
                  workingDir: {{workingDir}}
                  volumeMounts: [{name: home, mountPath: {{volumePath}}}]
                  script: |
                    cat {{volumePath}}/id $(workspaces.source.path)/main
                    pwd
                    test -d /usr/local/bin && echo neighbours=kept
            """) with
        {
            Workspaces = [ExecutorFixture.Binding("source", new VolumeSource { EmptyDir = true })],
        };

        var outcome = await _fx.Executor(sandbox).RunAsync(request, _fx.Listener, Ct);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal(["key", "code", workingDir, "neighbours=kept"], _fx.Listener.LinesOf("step-read"));
        Assert.False(Path.Exists($"/usr/local/{unique}"));
        Assert.False(Path.Exists(workspacePath));
        Assert.False(Path.Exists($"/usr/local/{unique}-wd"));
    }

    [Theory(Timeout = 30000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RunAsync_EnvShebangInterpreterMissing_StepFailsNamingIt(bool sandbox)
    {
        Assert.SkipUnless(!sandbox || File.Exists("/usr/bin/bwrap"), "the sandbox needs bubblewrap (/usr/bin/bwrap), which is not installed");
        var request = ExecutorFixture.Request(Header + """
              steps:
                - name: py
                  script: |
                    #!/usr/bin/env python3-mship-absent
                    print("never")
            """);

        var outcome = await _fx.Executor(sandbox).RunAsync(request, _fx.Listener, Ct);

        Assert.Equal(TaskRunPhase.Failed, outcome.Phase);
        Assert.Equal(127, outcome.Steps.Single().ExitCode);
        var line = Assert.Single(_fx.Listener.LinesOf("step-py"));
        Assert.EndsWith(": interpreter 'python3-mship-absent' not found", line, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30000)]
    public async Task RunAsync_SidecarWithReadiness_ReadyBeforeSteps()
    {
        var marker = Path.Combine(_fx.Root, "..", "ready");
        var request = ExecutorFixture.Request(Header + $$"""
              sidecars:
                - name: server
                  readinessProbe:
                    exec:
                      command: [test, -f, {{marker}}]
                  script: |
                    sleep 0.3
                    echo up > {{marker}}
                    echo sidecar running
                    sleep 1000
              steps:
                - script: cat {{marker}}
            """);
        var outcome = await _fx.Executor().RunAsync(request, _fx.Listener, Ct);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal(["up"], _fx.Listener.LinesOf("step-unnamed-0"));
        Assert.Equal("server", outcome.Sidecars.Single().Name);
        Assert.NotNull(outcome.Sidecars.Single().ExitCode);
    }

    [Fact(Timeout = 30000)]
    public async Task RunAsync_SidecarWithoutProbe_StepsWaitTillItsStartUpIsDone()
    {
        // Tekton's sidecar-ready-script example in a harder form: the sidecar computes before it
        // writes the file, and nothing but its start-up being done tells the step it may read it.
        var marker = Path.Combine(_fx.Root, "..", "from-sidecar");
        var request = ExecutorFixture.Request(Header + $$"""
              sidecars:
                - name: writer
                  script: |
                    i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done
                    echo written > {{marker}}
                    sleep 1000
              steps:
                - script: cat {{marker}}
            """);
        var outcome = await _fx.Executor().RunAsync(request, _fx.Listener, Ct);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal(["written"], _fx.Listener.LinesOf("step-unnamed-0"));
    }

    [Fact(Timeout = 30000)]
    public async Task RunAsync_StepResults_PassedToLaterSteps()
    {
        var request = ExecutorFixture.Request(Header + """
              results:
                - name: final
                  value: $(steps.produce.results.word)
              steps:
                - name: produce
                  results:
                    - name: word
                  script: echo -n tekton > $(step.results.word.path)
                - name: consume
                  script: echo "got $(steps.produce.results.word)"
            """);
        var outcome = await _fx.Executor().RunAsync(request, _fx.Listener, Ct);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal(["got tekton"], _fx.Listener.LinesOf("step-consume"));
        Assert.Equal([new RunResult("word", ParamValue.Of("tekton"))], outcome.Steps[0].Results);
        Assert.Equal([new RunResult("final", ParamValue.Of("tekton"))], outcome.Results);
    }

    [Fact(Timeout = 30000)]
    public async Task RunAsync_StdoutConfig_CopiesOutputToFile()
    {
        var request = ExecutorFixture.Request(Header + """
              workspaces:
                - name: ws
              steps:
                - stdoutConfig: {path: $(workspaces.ws.path)/out.txt}
                  script: echo captured
                - script: cat $(workspaces.ws.path)/out.txt
            """) with
        {
            Workspaces = [ExecutorFixture.Binding("ws", new VolumeSource { EmptyDir = true })],
        };
        var outcome = await _fx.Executor().RunAsync(request, _fx.Listener, Ct);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal(["captured"], _fx.Listener.LinesOf("step-unnamed-1"));
    }

    private static async Task WaitGoneAsync(string pid) =>
        await WaitUntilAsync(() => !Directory.Exists($"/proc/{pid}") || File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal));

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(10);
        while (!condition())
        {
            Assert.True(TimeProvider.System.GetUtcNow() < deadline, "condition not met within 10 s");
            await Task.Delay(50, Ct);
        }
    }
}
