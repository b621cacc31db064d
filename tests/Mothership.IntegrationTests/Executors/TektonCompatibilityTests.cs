using Mothership.Engine.Execution;
using Mothership.Model.Tekton;

namespace Mothership.IntegrationTests.Executors;

/// <summary>Behaviours Tekton's own examples rely on: entrypoints, shells, paths and workspaces.</summary>
public sealed class TektonCompatibilityTests : IDisposable
{
    private const string Header = """
        apiVersion: tekton.dev/v1
        kind: Task
        metadata: {name: t}
        spec:

        """;

    private readonly ExecutorFixture _fx = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _fx.Dispose();

    private async Task<TaskRunOutcome> RunAsync(TaskRunRequest request) =>
        await _fx.Executor().RunAsync(request, _fx.Listener, Ct);

    [Fact(Timeout = 30000)]
    public async Task RunAsync_MissingWorkingDir_IsCreatedWithAndWithoutLayout()
    {
        var request = ExecutorFixture.Request(Header + """
              steps:
                - name: relative
                  workingDir: rel/deeper
                  script: basename "$PWD"
                - name: layout
                  workingDir: /workspace/a/b
                  script: pwd
            """);
        var outcome = await RunAsync(request);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal(["deeper"], _fx.Listener.LinesOf("step-relative"));
        Assert.Equal(["/workspace/a/b"], _fx.Listener.LinesOf("step-layout"));
    }

    [Fact(Timeout = 30000)]
    public async Task RunAsync_MissingAbsoluteWorkingDirOutsideBinds_GetsAttemptDirectory()
    {
        var dir = "/tmp/mship-wd-" + Guid.NewGuid().ToString("N") + "/x/y";
        try
        {
            var request = ExecutorFixture.Request(Header + $$"""
                  steps:
                    - workingDir: {{dir}}
                      script: |
                        #!/usr/bin/env bash
                        [[ $PWD == {{dir}} ]] && touch made-here
                """);
            var outcome = await RunAsync(request);

            Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
            Assert.False(File.Exists(Path.Combine(dir, "made-here")), "the step wrote to the host directory instead of the attempt's");
            // Unfolded on a tmpfs, or (a /tmp too large for that) made on the host and removed after the step.
            Assert.False(Directory.Exists(string.Join('/', dir.Split('/').Take(3))), "the mount point was left on the host");
        }
        finally
        {
            var top = string.Join('/', dir.Split('/').Take(3));
            if (Directory.Exists(top))
            {
                Directory.Delete(top, recursive: true);
            }
        }
    }

    [Theory(Timeout = 30000)]
    [InlineData("[-c, 'echo hello $0']", "hello /bin/sh")]
    [InlineData("[echo, -n, plain]", "plain")]
    public async Task RunAsync_ArgsWithoutCommand_ShellWhenFirstArgIsAnOption(string args, string expected)
    {
        var request = ExecutorFixture.Request(Header + $$"""
              steps:
                - args: {{args}}
            """);
        var outcome = await RunAsync(request);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal([expected], _fx.Listener.LinesOf("step-unnamed-0"));
    }

    [Fact(Timeout = 30000)]
    public async Task RunAsync_CommandStartingWithDash_NotTakenBySetsid()
    {
        var request = ExecutorFixture.Request(Header + """
              steps:
                - command: [bash]
                  args: [-c, 'echo "$1"', x, --wait]
            """);
        var outcome = await RunAsync(request);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal(["--wait"], _fx.Listener.LinesOf("step-unnamed-0"));
    }

    [Theory(Timeout = 30000)]
    [InlineData("#!/bin/sh")]
    [InlineData("#!/bin/ash")]
    [InlineData("#!/usr/bin/env sh")]
    [InlineData("#!/usr/bin/env ash")]
    [InlineData("#!/bin/busybox sh")]
    public async Task RunAsync_ShShebang_AcceptsBusyboxBashisms(string shebang)
    {
        var request = ExecutorFixture.Request(Header + $$"""
              steps:
                - script: |
                    {{shebang}}
                    if [ "a" == "a" ]; then echo same; fi
                    false
                    echo "no -e added"
            """);
        var outcome = await RunAsync(request);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal(["same", "no -e added"], _fx.Listener.LinesOf("step-unnamed-0"));
    }

    [Fact(Timeout = 30000)]
    public async Task RunAsync_ShShebangWithFlag_KeepsTheFlag()
    {
        var request = ExecutorFixture.Request(Header + """
              steps:
                - script: |
                    #!/bin/sh -e
                    false
                    echo unreachable
            """);
        var outcome = await RunAsync(request);

        Assert.Equal(TaskRunPhase.Failed, outcome.Phase);
        Assert.Empty(_fx.Listener.LinesOf("step-unnamed-0"));
    }

    [Fact(Timeout = 30000)]
    public async Task RunAsync_ReadOnlyWorkspace_NotWritableBySteps()
    {
        var request = ExecutorFixture.Request(Header + """
              workspaces:
                - name: ro
                  readOnly: true
              steps:
                - script: |
                    { echo no > $(workspaces.ro.path)/f; } 2>/dev/null && echo writable || echo readonly
            """) with
        {
            Workspaces = [ExecutorFixture.Binding("ro", new VolumeSource { EmptyDir = true })],
        };
        var outcome = await RunAsync(request);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal(["readonly"], _fx.Listener.LinesOf("step-unnamed-0"));
    }

    [Fact(Timeout = 30000)]
    public async Task RunAsync_StepsDirectory_HasIndexLinks()
    {
        var request = ExecutorFixture.Request(Header + """
              steps:
                - name: fail
                  onError: continue
                  script: exit 3
                - name: check
                  script: |
                    cat /tekton/steps/0/exitCode; echo
                    cat /tekton/steps/step-fail/exitCode
            """);
        var outcome = await RunAsync(request);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal(["3", "3"], _fx.Listener.LinesOf("step-check"));
    }

    [Fact(Timeout = 30000)]
    public async Task RunAsync_OtherStepsDirectories_ReadOnlyThroughIndexLinks()
    {
        var request = ExecutorFixture.Request(Header + """
              steps:
                - script: exit 0
                - script: |
                    { echo 1 > /tekton/steps/0/exitCode; } 2>/dev/null && echo writable || echo readonly
                    echo mine > /tekton/steps/step-unnamed-1/own && echo own-writable
            """);
        var outcome = await RunAsync(request);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal(["readonly", "own-writable"], _fx.Listener.LinesOf("step-unnamed-1"));
    }

    [Fact(Timeout = 30000)]
    public async Task RunAsync_SidecarMountsWorkspaceByVolumeName_SharesFifoWithStep()
    {
        var request = ExecutorFixture.Request(Header + """
              workspaces:
                - name: signals
              sidecars:
                - name: peer
                  volumeMounts:
                    - name: $(workspaces.signals.volume)
                      mountPath: $(workspaces.signals.path)
                  script: |
                    #!/usr/bin/env bash
                    while [[ ! -p "$(workspaces.signals.path)/channel" ]]; do sleep 0.05; done
                    read message < "$(workspaces.signals.path)/channel"
                    echo "sidecar got $message"
                    echo "pong" > "$(workspaces.signals.path)/channel"
                    sleep 1000
              steps:
                - script: |
                    mkfifo "$(workspaces.signals.path)/channel"
                    echo ping > "$(workspaces.signals.path)/channel"
                    read response < "$(workspaces.signals.path)/channel"
                    echo "step got $response"
            """) with
        {
            Workspaces = [ExecutorFixture.Binding("signals", new VolumeSource { EmptyDir = true })],
        };
        var outcome = await RunAsync(request);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal(["step got pong"], _fx.Listener.LinesOf("step-unnamed-0"));
        Assert.Equal(["sidecar got ping"], _fx.Listener.LinesOf("sidecar-peer"));
    }

    [Fact(Timeout = 30000)]
    public async Task RunAsync_IsolatedWorkspace_OnlyListedStepsSeeIt()
    {
        var request = ExecutorFixture.Request(Header + """
              workspaces:
                - name: creds
              steps:
                - name: with-path
                  workspaces:
                    - name: creds
                      mountPath: /creds
                  script: |
                    echo secret > /creds/key
                    test -d /workspace/creds && echo visible || echo hidden
                - name: default-path
                  workspaces:
                    - name: creds
                  script: cat /workspace/creds/key
                - name: without
                  script: |
                    test -e /creds || test -e /workspace/creds && echo visible || echo hidden
            """) with
        {
            Workspaces = [ExecutorFixture.Binding("creds", new VolumeSource { EmptyDir = true })],
        };
        var outcome = await RunAsync(request);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal(["hidden"], _fx.Listener.LinesOf("step-with-path"));
        Assert.Equal(["secret"], _fx.Listener.LinesOf("step-default-path"));
        Assert.Equal(["hidden"], _fx.Listener.LinesOf("step-without"));
    }

    [Fact(Timeout = 30000)]
    public async Task RunAsync_TypedStepResults_IndexStarAndKeyReferences()
    {
        var request = ExecutorFixture.Request(Header + """
              steps:
                - name: first
                  results:
                    - name: arr
                      type: array
                    - name: obj
                      type: object
                      properties:
                        key: {type: string}
                  script: |
                    echo -n '["a", "b c"]' > $(step.results.arr.path)
                    echo -n '{"key": "v"}' > $(step.results.obj.path)
                - name: second
                  command: [bash, -c, 'printf "<%s>" "$@"; echo " $KEY $0"']
                  args: ["$(steps.first.results.arr[1])", "$(steps.first.results.arr[*])"]
                  env:
                    - name: KEY
                      value: $(steps.first.results.obj.key)
            """);
        var outcome = await RunAsync(request);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal(["<a><b c> v b c"], _fx.Listener.LinesOf("step-second"));
        Assert.Equal(ParamValue.Of(["a", "b c"]), outcome.Steps[0].Results.Single(r => r.Name == "arr").Value);
    }
}
