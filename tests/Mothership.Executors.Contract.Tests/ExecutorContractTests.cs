using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mothership.Engine.Execution;
using Mothership.Engine.Status;
using Mothership.Model.Tekton;

namespace Mothership.Executors.Contract.Tests;

/// <summary>
/// The attempt contract (<see cref="AttemptRules"/>), proven on every executor with the same cases:
/// each case's TaskRun status — phase, reason, message, every step's exit code, reason and
/// termination reason, sidecars, results — must equal one golden file, the same for the local
/// executor and the Kubernetes executor (through the fake API server), field by field. Times are
/// left out; logs are checked case by case.
/// </summary>
public abstract class ExecutorContractTests
{
    protected abstract IExecutorHarness Harness { get; }

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Header = "apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: contract}\nspec:\n";

    private async Task<(TaskRunOutcome Outcome, RecordingListener Listener)> RunAsync(string yaml, TimeSpan? timeout = null, ResultLimit? limit = null,
        ImmutableArray<WorkspaceBinding> workspaces = default, Func<RecordingListener, CancellationTokenSource, Task>? during = null, string? waitFor = null)
    {
        var (request, resources) = ContractRequests.Of(yaml, timeout, workspaces);
        await Harness.ProvideAsync(resources, Ct);
        var listener = new RecordingListener { WaitFor = waitFor };
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = Harness.Executor(limit).RunAsync(request, listener, cancel.Token);
        if (during is not null)
        {
            await during(listener, cancel);
        }

        return (await running, listener);
    }

    [Fact(Timeout = 60_000)]
    public async Task ExitCodes_FailingStep_FailsTheAttemptAndSkipsTheRest()
    {
        var (outcome, listener) = await RunAsync(Header + """
              steps:
                - {name: first, image: alpine, script: 'echo one'}
                - {name: second, image: alpine, command: [sh, -c, 'echo two; exit 3']}
                - {name: third, image: alpine, script: 'echo never'}
            """);

        Golden.Assert("exit-codes", outcome);
        Assert.Equal(["one"], listener.Lines("step-first"));
        Assert.Equal(["two"], listener.Lines("step-second"));
        Assert.Empty(listener.Lines("step-third"));
    }

    [Fact(Timeout = 60_000)]
    public async Task OnErrorContinue_StepFails_ExitCodeKeptAndTheNextStepRuns()
    {
        var (outcome, listener) = await RunAsync(Header + """
              steps:
                - {name: bad, image: alpine, onError: continue, script: 'exit 5'}
                - {name: after, image: alpine, script: 'cat $(steps.step-bad.exitCode.path)'}
            """);

        Golden.Assert("on-error-continue", outcome);
        Assert.Equal(["5"], listener.Lines("step-after"));
    }

    [Fact(Timeout = 60_000)]
    public async Task StepTimeout_StepRunsTooLong_StoppedAndTheTaskFails()
    {
        var (outcome, listener) = await RunAsync(Header + """
              steps:
                - {name: slow, image: alpine, timeout: 1s, script: 'echo started; sleep 30; echo never'}
                - {name: next, image: alpine, script: 'echo never'}
            """);

        Golden.Assert("step-timeout", outcome);
        Assert.Equal(["started"], listener.Lines("step-slow"));
        Assert.Empty(listener.Lines("step-next"));
    }

    [Fact(Timeout = 60_000)]
    public async Task StepTimeout_WithOnErrorContinue_StoppedAndTheTaskGoesOn()
    {
        var (outcome, listener) = await RunAsync(Header + """
              steps:
                - {name: slow, image: alpine, timeout: 500ms, onError: continue, script: 'sleep 30'}
                - {name: next, image: alpine, script: 'echo next ran'}
            """);

        Golden.Assert("step-timeout-continue", outcome);
        Assert.Equal(["next ran"], listener.Lines("step-next"));
    }

    [Fact(Timeout = 60_000)]
    public async Task TaskTimeout_AttemptRunsTooLong_TimedOutWithTektonsMessage()
    {
        var (outcome, _) = await RunAsync(Header + """
              steps:
                - {name: slow, image: alpine, script: 'echo started; sleep 30'}
                - {name: next, image: alpine, script: 'echo never'}
            """, timeout: TimeSpan.FromSeconds(2));

        Golden.Assert("task-timeout", outcome);
    }

    [Fact(Timeout = 60_000)]
    public async Task Cancel_WhileAStepRuns_CancelledAndTheRestSkipped()
    {
        var (outcome, _) = await RunAsync(Header + """
              steps:
                - {name: slow, image: alpine, script: 'echo started; sleep 30'}
                - {name: next, image: alpine, script: 'echo never'}
            """, waitFor: "started", during: async (listener, cancel) =>
        {
            await listener.Seen.Task.WaitAsync(Ct);
            await cancel.CancelAsync();
        });

        Golden.Assert("cancel", outcome);
    }

    [Fact(Timeout = 60_000)]
    public async Task Results_StringArrayAndFromStepResults_TypedAndKeptByteForByte()
    {
        var (outcome, listener) = await RunAsync(Header + """
              results:
                - {name: greeting}
                - {name: list, type: array}
                - {name: digest, value: $(steps.build.results.digest)}
              steps:
                - name: build
                  image: alpine
                  results: [{name: digest}]
                  script: |
                    echo hello > $(results.greeting.path)
                    printf '["a","b"]' > $(results.list.path)
                    printf 'sha256:abc' > $(step.results.digest.path)
                - name: use
                  image: alpine
                  script: echo "built $(steps.build.results.digest)"
            """);

        Golden.Assert("results", outcome);
        Assert.Equal(["built sha256:abc"], listener.Lines("step-use"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Results_WrongType_FailsWithTheResultNamed()
    {
        var (outcome, _) = await RunAsync(Header + """
              results: [{name: list, type: array}]
              steps:
                - {name: write, image: alpine, script: 'printf not-json > $(results.list.path)'}
            """);

        Golden.Assert("result-wrong-type", outcome);
    }

    [Fact(Timeout = 60_000)]
    public async Task Results_OverTheLimit_FailWithTheSameMessageEverywhere()
    {
        var (outcome, _) = await RunAsync(Header + """
              results: [{name: big}, {name: small}]
              steps:
                - {name: write, image: alpine, script: 'printf 0123456789abcdef0123 > $(results.big.path); printf ok > $(results.small.path)'}
            """, limit: ResultLimit.Total(16));

        Golden.Assert("result-limit", outcome);
    }

    [Fact(Timeout = 60_000)]
    public async Task Workspaces_BoundAndOptionalUnbound_PathsAndBoundVariables()
    {
        var (outcome, listener) = await RunAsync(Header + """
              workspaces:
                - {name: data}
                - {name: extra, optional: true}
              steps:
                - {name: write, image: alpine, script: 'echo shared > $(workspaces.data.path)/f'}
                - name: read
                  image: alpine
                  script: |
                    cat $(workspaces.data.path)/f
                    echo "data=$(workspaces.data.bound) extra=$(workspaces.extra.bound) path=[$(workspaces.extra.path)]"
            """, workspaces: [new WorkspaceBinding { Name = "data", Source = new VolumeSource { EmptyDir = true } }]);

        Golden.Assert("workspaces", outcome);
        Assert.Equal(["shared", "data=true extra=false path=[]"], listener.Lines("step-read"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Sidecars_RunBesideTheStepsAndStopAtTheEnd()
    {
        var (outcome, listener) = await RunAsync(Header + """
              volumes: [{name: shared, emptyDir: {}}]
              sidecars:
                - name: helper
                  image: alpine
                  volumeMounts: [{name: shared, mountPath: /shared}]
                  script: |
                    echo up > /shared/ready
                    while true; do sleep 1; done
              steps:
                - name: wait
                  image: alpine
                  volumeMounts: [{name: shared, mountPath: /shared}]
                  script: |
                    while [ ! -f /shared/ready ]; do sleep 0.1; done
                    cat /shared/ready
            """);

        Golden.Assert("sidecars", outcome);
        Assert.Equal(["up"], listener.Lines("step-wait"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Secrets_ValuesInLogs_AreMasked()
    {
        var (outcome, listener) = await RunAsync("""
            apiVersion: v1
            kind: Secret
            metadata: {name: db}
            stringData: {password: hunter2}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings}
            data: {mode: fast}
            ---
            """ + "\n" + Header + """
              steps:
                - name: print
                  image: alpine
                  env:
                    - {name: PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}
                    - {name: MODE, valueFrom: {configMapKeyRef: {name: settings, key: mode}}}
                  script: echo "password $PASSWORD, mode $MODE, not hunter3"
            """);

        Golden.Assert("secrets", outcome);
        Assert.Equal(["password ***, mode fast, not hunter3"], listener.Lines("step-print"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Params_InVolumesSidecarsMountsAndWorkingDir_SubstitutedBeforeTheExecutorUsesThem()
    {
        // The Catalog's orka-full names its Secret's key by a param; Tekton substitutes params in
        // volume sources and their items, sidecars, volume mounts' subPath and workingDir.
        var (outcome, listener) = await RunAsync("""
            apiVersion: v1
            kind: Secret
            metadata: {name: ssh}
            stringData: {password: s3cret-pw}
            ---
            """ + "\n" + Header + """
              params:
                - {name: secret-name, default: ssh}
                - {name: password-key, default: password}
                - {name: file, default: pw}
                - {name: sub, default: nested}
                - {name: dir, default: /scratch}
                - {name: greeting, default: hello}
              volumes:
                - name: creds
                  secret:
                    secretName: $(params.secret-name)
                    items: [{key: $(params.password-key), path: $(params.file)}]
                - {name: scratch, emptyDir: {}}
              sidecars:
                - name: helper
                  image: alpine
                  env: [{name: GREETING, value: $(params.greeting)}]
                  volumeMounts: [{name: scratch, mountPath: /shared, subPath: $(params.sub)}]
                  script: |
                    echo "$GREETING" > /shared/from-sidecar
                    while true; do sleep 1; done
              steps:
                - name: read
                  image: alpine
                  workingDir: $(params.dir)
                  volumeMounts:
                    - {name: creds, mountPath: /creds}
                    - {name: scratch, mountPath: /scratch}
                  script: |
                    wc -c < /creds/$(params.file)
                    while [ ! -f $(params.sub)/from-sidecar ]; do sleep 0.1; done
                    cat $(params.sub)/from-sidecar
                    pwd
            """);

        Golden.Assert("params-in-volumes", outcome);
        Assert.Equal(["9", "hello", "/scratch"], listener.Lines("step-read"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Params_BindingSubPathBecomesDotDot_FailsTheAttemptWithTheWorkspaceNamed()
    {
        var (outcome, listener) = await RunAsync(Header + """
              params: [{name: sub, default: ../escape}]
              workspaces: [{name: data}]
              steps:
                - {name: never, image: alpine, script: 'echo never'}
            """, workspaces: [new WorkspaceBinding { Name = "data", SubPath = "$(params.sub)", Source = new VolumeSource { EmptyDir = true } }]);

        Golden.Assert("binding-subpath-escapes", outcome);
        Assert.Empty(listener.Lines("step-never"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Params_MountSubPathBecomesAbsolute_FailsTheAttemptWithTheMountNamed()
    {
        var (outcome, listener) = await RunAsync(Header + """
              params: [{name: sub, default: /etc}]
              volumes: [{name: scratch, emptyDir: {}}]
              steps:
                - name: never
                  image: alpine
                  volumeMounts: [{name: scratch, mountPath: /scratch, subPath: $(params.sub)}]
                  script: 'echo never'
            """);

        Golden.Assert("mount-subpath-absolute", outcome);
        Assert.Empty(listener.Lines("step-never"));
    }

    [Fact(Timeout = 60_000)]
    public async Task UnnamedSteps_GetTektonsNamesAndContainers()
    {
        var (outcome, listener) = await RunAsync(Header + """
              steps:
                - {image: alpine, script: 'echo first'}
                - {image: alpine, script: 'echo second'}
            """);

        Golden.Assert("unnamed-steps", outcome);
        Assert.Equal(["second"], listener.Lines("step-unnamed-1"));
    }

    [Fact(Timeout = 60_000)]
    public async Task DefaultPodTemplate_ConfigDefaults_EnvReachesStepsAndWinsAsTektonMerges()
    {
        // Tekton's config-defaults ConfigMap: its default-pod-template is merged under the run's own.
        var (outcome, listener) = await RunAsync("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: config-defaults}
            data:
              default-pod-template: |
                env:
                  - {name: HTTP_PROXY, value: "http://proxy.example:3128"}
                  - {name: MODE, value: default}
            ---
            """ + "\n" + Header + """
              steps:
                - name: print
                  image: alpine
                  env: [{name: MODE, value: own}]
                  script: echo "$HTTP_PROXY $MODE"
            """);

        Assert.Equal(["http://proxy.example:3128 default"], listener.Lines("step-print"));
        Assert.Equal("Succeeded", (string)Golden.Status(outcome)["conditions"]![0]!["reason"]!);
    }
}

/// <summary>The shared golden status of each case: one file for every executor.</summary>
internal static class Golden
{
    private static readonly string[] Times = ["startTime", "completionTime", "lastTransitionTime", "startedAt", "finishedAt"];

    /// <summary>The status as the run object shows it, without times.</summary>
    public static JsonObject Status(TaskRunOutcome outcome)
    {
        var status = RunObjectWriter.TaskRunStatus([outcome], running: false, failureIgnored: false, ContractRequests.TaskRunName);
        Strip(status);
        return status;
    }

    private static void Strip(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in Times)
                {
                    o.Remove(key);
                }

                foreach (var (_, child) in o.ToList())
                {
                    Strip(child);
                }

                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    Strip(child);
                }

                break;
        }
    }

    public static void Assert(string name, TaskRunOutcome outcome)
    {
        var actual = Status(outcome).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        var file = Path.Combine(Fixtures.RepositoryRoot(), "tests", "Mothership.Executors.Contract.Tests", "golden", name + ".json");
        if (Environment.GetEnvironmentVariable("MSHIP_UPDATE_GOLDEN") == "1" && Environment.GetEnvironmentVariable("CI") is null or "")
        {
            File.WriteAllText(file, actual);
            Xunit.Assert.Fail($"{file} was written: review the diff, then run again without MSHIP_UPDATE_GOLDEN");
        }

        Xunit.Assert.True(File.Exists(file), $"{file} is missing: run the tests once with MSHIP_UPDATE_GOLDEN=1 (not under CI) and review it");
        Xunit.Assert.Equal(File.ReadAllText(file), actual);
    }
}
