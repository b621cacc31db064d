using System.Text.Json.Nodes;
using static Mothership.Testing.TektonConformance;

namespace Mothership.Testing;

/// <summary>
/// The TaskRun behaviours of Tekton's conformance suite
/// (<see href="https://github.com/tektoncd/pipeline/blob/3ee1745ae5b2d9175b11917d7c1935eaad44910c/test/conformance/conformance_test.go">test/conformance/conformance_test.go</see>
/// at tektoncd/pipeline 3ee1745ae5b2d9175b11917d7c1935eaad44910c), ported as our own tests: each
/// test is named after the upstream <c>TestXxx</c> it ports, sends the same YAML and checks the
/// same fields of the returned TaskRun. A concrete class per executor says how to run
/// (<see cref="ExecutorArgs"/>), so the local executor and the Kubernetes executor answer the same cases.
/// </summary>
/// <remarks>
/// Images are recorded, not pulled, on the local executor: a step runs on the host, so the
/// interpreters the scripts name (bash, node, perl, python3) must be installed there. No input
/// had to change for that. Upstream names each run <c>helpers.ObjectNameForTest(t)</c>; here the
/// name is the behaviour's, in kebab case. Tekton's behaviours we do not meet yet are in
/// <c>TektonConformanceKnownDeviations</c> (IntegrationTests), not here.
/// </remarks>
public abstract class TektonConformanceTaskRunCases
{
    /// <summary>Arguments added to every <c>mship run</c>: the executor and its settings.</summary>
    protected abstract string[] ExecutorArgs { get; }

    private Task<JsonNode> Run(string yaml, bool expectSuccess = true) => TektonConformance.RunAsync(yaml, expectSuccess, ExecutorArgs);

    private static JsonNode Status(JsonNode run) => run["status"]!;

    private static IReadOnlyList<JsonNode?> Steps(JsonNode run) => Array(run["status"]!["steps"]);

    /// <summary>TestTaskRunConditions: a minimal TaskRun ends with Succeeded True / Succeeded.</summary>
    [Fact(Timeout = 120_000)]
    public async Task TaskRunConditions_MinimalTaskRun_SucceededTrue()
    {
        var run = await Run("""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata:
              name: task-run-conditions
            spec:
              taskSpec:
                steps:
                - name: add
                  image: mirror.gcr.io/ubuntu
                  script: |
                    echo Hello world!
            """);

        AssertSucceededCondition(run, "True", "Succeeded");
    }

    /// <summary>TestConditions: the same with the script as a plain scalar.</summary>
    [Fact(Timeout = 120_000)]
    public async Task Conditions_PlainScalarScript_SucceededTrue()
    {
        var run = await Run("""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata:
              name: conditions
            spec:
              taskSpec:
                steps:
                - name: add
                  image: mirror.gcr.io/ubuntu
                  script:
                    echo Hello world!
            """);

        AssertSucceededCondition(run, "True", "Succeeded");
    }

    /// <summary>
    /// TestStepScript: scripts with node, perl, python and bash shebangs, params replaced in a
    /// script, args passed to a script, runs of dollar signs kept, bash's own evaluation — every
    /// step terminated with reason Completed, and exactly those six steps reported.
    /// </summary>
    [Fact(Timeout = 120_000)]
    public async Task StepScript_ShebangsParamsArgsAndDollars_EveryStepCompleted()
    {
        var run = await Run("""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata:
              name: step-script
            spec:
              taskSpec:
                params:
                - name: PARAM
                  default: param-value
                steps:
                - name: node
                  image: mirror.gcr.io/node:lts-alpine3.20
                  script: |
                    #!/usr/bin/env node
                    console.log("Hello from Node!")
                - name: perl
                  image: mirror.gcr.io/perl:devel-bullseye
                  script: |
                    #!/usr/bin/perl
                    print "Hello from Perl!"
                # Test that param values are replaced.
                - name: params-applied
                  image: mirror.gcr.io/python:3.12.4
                  script: |
                    #!/usr/bin/env python3
                    v = '$(params.PARAM)'
                    if v != 'param-value':
                      print('Param values not applied')
                      print('Got: ', v)
                      exit(1)
                # Test that args are allowed and passed to the script as expected.
                - name: args-allowed
                  image: mirror.gcr.io/ubuntu
                  args: ['hello', 'world']
                  script: |
                    #!/usr/bin/env bash
                    [[ $# == 2 ]]
                    [[ $1 == "hello" ]]
                    [[ $2 == "world" ]]
                # Test that multiple dollar signs next to each other are not replaced by Kubernetes
                - name: dollar-signs-allowed
                  image: mirror.gcr.io/python:3.12.4
                  script: |
                    #!/usr/bin/env python3
                    if '$' != '\u0024':
                      print('single dollar signs ($) are not passed through as expected :(')
                      exit(1)
                    if '$$' != '\u0024\u0024':
                      print('double dollar signs ($$) are not passed through as expected :(')
                      exit(2)
                    if '$$$' != '\u0024\u0024\u0024':
                      print('three dollar signs ($$$) are not passed through as expected :(')
                      exit(3)
                    if '$$$$' != '\u0024\u0024\u0024\u0024':
                      print('four dollar signs ($$$$) are not passed through as expected :(')
                      exit(4)
                    print('dollar signs appear to be handled correctly! :)')

                # Test that bash scripts with variable evaluations work as expected
                - name: bash-variable-evaluations
                  image: mirror.gcr.io/bash
                  script: |
                    #!/usr/bin/env bash
                    set -xe
                    var1=var1_value
                    var2=var1
                    echo $(eval echo \$$var2) > tmpfile
                    eval_result=$(cat tmpfile)
                    if [ "$eval_result" != "var1_value" ] ; then
                      echo "unexpected eval result: $eval_result"
                      exit 1
                    fi
            """);

        string[] expected = ["node", "perl", "params-applied", "args-allowed", "dollar-signs-allowed", "bash-variable-evaluations"];
        var steps = Steps(run);
        Assert.Equal(expected.Length, steps.Count);
        Assert.All(steps, s =>
        {
            Assert.Contains(Text(s!["name"]), expected);
            Assert.Equal("Completed", Text(s!["terminated"]?["reason"]));
        });
    }

    /// <summary>TestStepEnv: a step's env reaches its script and is kept in <c>status.taskSpec</c>.</summary>
    [Fact(Timeout = 120_000)]
    public async Task StepEnv_EnvVar_StepCompletedAndEnvInStatusTaskSpec()
    {
        var run = await Run("""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata:
              name: step-env
            spec:
              taskSpec:
                steps:
                - name: bash
                  image: mirror.gcr.io/ubuntu
                  env:
                  - name: FOO
                    value: foooooooo
                  script: |
                    #!/usr/bin/env bash
                    set -euxo pipefail
                    echo "Hello from Bash!"
                    echo FOO is ${FOO}
                    echo substring is ${FOO:2:4}
            """);

        Assert.Equal("Completed", Text(Steps(run)[0]!["terminated"]?["reason"]));
        var env = Status(run)["taskSpec"]!["steps"]![0]!["env"]![0]!;
        Assert.Equal("FOO", Text(env["name"]));
        Assert.Equal("foooooooo", Text(env["value"]));
    }

    /// <summary>TestStepWorkingDir: <c>/workspace</c> and an arbitrary absolute path are each step's <c>$PWD</c>, and kept in <c>status.taskSpec</c>.</summary>
    [Fact(Timeout = 120_000)]
    public async Task StepWorkingDir_DefaultAndOverride_StepsRunThereAndStatusTaskSpecKeepsThem()
    {
        var run = await Run("""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata:
              name: step-working-dir
            spec:
              taskSpec:
                steps:
                - name: default
                  image: mirror.gcr.io/ubuntu
                  workingDir: /workspace
                  script: |
                    #!/usr/bin/env bash
                    if [[ $PWD != /workspace ]]; then
                      exit 1
                    fi
                - name: override
                  image: mirror.gcr.io/ubuntu
                  workingDir: /a/path/too/far
                  script: |
                    #!/usr/bin/env bash
                    if [[ $PWD != /a/path/too/far ]]; then
                      exit 1
                    fi
            """);

        Assert.All(Steps(run), s => Assert.Equal("Completed", Text(s!["terminated"]?["reason"])));
        var expected = new Dictionary<string, string> { ["default"] = "/workspace", ["override"] = "/a/path/too/far" };
        var specSteps = Array(Status(run)["taskSpec"]!["steps"]);
        Assert.Equal(2, specSteps.Count);
        Assert.All(specSteps, s => Assert.Equal(expected[Text(s!["name"])!], Text(s!["workingDir"])));
    }

    /// <summary>TestStepStateName: the step's name is the name of its step state.</summary>
    [Fact(Timeout = 120_000)]
    public async Task StepStateName_NamedStep_StepStateCarriesTheName()
    {
        // busybox's entrypoint is sh, so the args run `sh -c 'echo hello'`.
        var run = await Run("""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata:
              name: step-state-name
            spec:
              taskSpec:
                steps:
                - name: step-foo
                  image: mirror.gcr.io/busybox
                  args: ['-c', 'echo hello']
            """);

        AssertSucceededCondition(run, "True", "Succeeded");
        var step = Assert.Single(Steps(run));
        Assert.Equal("step-foo", Text(step!["name"]));
    }

    /// <summary>
    /// TestStepStateContainerStateTerminated, success half: exit code 0, reason Completed, and a
    /// start no later than the finish.
    /// </summary>
    [Fact(Timeout = 120_000)]
    public async Task StepStateContainerStateTerminated_StepSucceeds_ExitCodeZeroCompletedWithTimes()
    {
        var run = await Run("""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata:
              name: step-state-container-state-terminated-success
            spec:
              taskSpec:
                steps:
                - image: mirror.gcr.io/busybox
                  args: ['-c', 'echo hello']
            """);

        AssertSucceededCondition(run, "True", "Succeeded");
        var terminated = Assert.Single(Steps(run))!["terminated"]!;
        Assert.True(Time(terminated["startedAt"]) <= Time(terminated["finishedAt"]), terminated.ToJsonString());
        Assert.Equal(0, terminated["exitCode"]!.GetValue<int>());
        Assert.Equal("Completed", Text(terminated["reason"]));
    }

    /// <summary>
    /// TestStepStateContainerStateTerminated, failure half: the TaskRun Failed, the step's exit
    /// code 1, reason Error, and a start no later than the finish.
    /// </summary>
    [Fact(Timeout = 120_000)]
    public async Task StepStateContainerStateTerminated_StepExitsOne_ExitCodeOneErrorWithTimes()
    {
        var run = await Run("""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata:
              name: step-state-container-state-terminated-failure
            spec:
              taskSpec:
                steps:
                - image: mirror.gcr.io/busybox
                  script: exit 1
            """, expectSuccess: false);

        AssertSucceededCondition(run, "False", "Failed");
        var terminated = Assert.Single(Steps(run))!["terminated"]!;
        Assert.True(Time(terminated["startedAt"]) <= Time(terminated["finishedAt"]), terminated.ToJsonString());
        Assert.Equal(1, terminated["exitCode"]!.GetValue<int>());
        Assert.Equal("Error", Text(terminated["reason"]));
    }

    /// <summary>TestSidecarName: the TaskRun succeeds and its spec keeps the one sidecar by name.</summary>
    [Fact(Timeout = 120_000)]
    public async Task SidecarName_OneSidecar_SpecKeepsItsName()
    {
        var run = await Run("""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata:
              name: sidecar-name
            spec:
              taskSpec:
                sidecars:
                - name: hello-sidecar
                  image: mirror.gcr.io/ubuntu
                  script: echo "hello from sidecar"
                steps:
                - name: hello-step
                  image: mirror.gcr.io/ubuntu
                  script: echo "hello from step"
            """);

        AssertSucceededCondition(run, "True", "Succeeded");
        var sidecar = Assert.Single(Array(run["spec"]!["taskSpec"]!["sidecars"]));
        Assert.Equal("hello-sidecar", Text(sidecar!["name"]));
    }

    /// <summary>TestSidecarScriptSuccess: a sidecar's script writes into a shared emptyDir volume that the step reads.</summary>
    [Fact(Timeout = 120_000)]
    public async Task SidecarScriptSuccess_SidecarWritesSharedVolume_TaskRunSucceeds()
    {
        var run = await Run("""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata:
              name: sidecar-script-success
            spec:
              taskSpec:
                sidecars:
                - name: slow-sidecar
                  image: mirror.gcr.io/ubuntu
                  script: |
                    echo "hello from sidecar" > /shared/message
                  volumeMounts:
                  - name: shared
                    mountPath: /shared

                steps:
                - name: check-ready
                  image: mirror.gcr.io/ubuntu
                  script: cat /shared/message
                  volumeMounts:
                  - name: shared
                    mountPath: /shared

                # Sidecars don't have /workspace mounted by default, so we have to define
                # our own shared volume.
                volumes:
                - name: shared
                  emptyDir: {}
            """);

        AssertSucceededCondition(run, "True", "Succeeded");
    }

    /// <summary>TestSidecarScriptFailure: the sidecar exits 1 and writes nothing, so the step fails and so does the TaskRun.</summary>
    [Fact(Timeout = 120_000)]
    public async Task SidecarScriptFailure_SidecarExitsOne_TaskRunFailed()
    {
        var run = await Run("""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata:
              name: sidecar-script-failure
            spec:
              taskSpec:
                sidecars:
                - name: exit-sidecar
                  image: mirror.gcr.io/ubuntu
                  script: exit 1

                steps:
                - name: check-ready
                  image: mirror.gcr.io/ubuntu
                  script: cat /shared/message
                  volumeMounts:
                    - name: shared
                      mountPath: /shared

                # Sidecars don't have /workspace mounted by default, so we have to define
                # our own shared volume.
                volumes:
                - name: shared
                  emptyDir: {}
            """, expectSuccess: false);

        Assert.Single(Array(run["spec"]!["taskSpec"]!["sidecars"]));
        AssertSucceededCondition(run, "False", "Failed");
    }

    /// <summary>
    /// TestSidecarArgAndCommand's TaskRun: a sidecar's command and args write a shared volume that
    /// a step's command and args read. Not among the cases every executor runs: the step may start
    /// before the sidecar has written (see <c>TektonConformanceKnownDeviations</c>), so the Kubernetes
    /// executor's tests run it on their own.
    /// </summary>
    public const string SidecarArgAndCommandYaml = """
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata:
              name: sidecar-arg-and-command
            spec:
              taskSpec:
                sidecars:
                - name: slow-sidecar
                  image: mirror.gcr.io/ubuntu
                  command: [/bin/bash]
                  args: [-c, "echo 'hello from sidecar' > /shared/message"]
                  volumeMounts:
                  - name: shared
                    mountPath: /shared
                steps:
                - name: check-ready
                  image: mirror.gcr.io/ubuntu
                  command:
                  - cat
                  args:
                  - '/shared/message'
                  volumeMounts:
                  - name: shared
                    mountPath: /shared

                # Sidecars don't have /workspace mounted by default, so we have to define
                # our own shared volume.
                volumes:
                - name: shared
                  emptyDir: {}
            """;

    /// <summary>TestStringTaskParam: a string param reaches the script; the spec keeps one param.</summary>
    [Fact(Timeout = 120_000)]
    public async Task StringTaskParam_StringValue_ReplacedInScript()
    {
        var run = await Run("""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata:
              name: string-task-param
            spec:
              params:
                - name: "string-param"
                  value: foo-string
              taskSpec:
                params:
                  - name: "string-param"
                    type: string
                steps:
                  - name: "check-param"
                    image: mirror.gcr.io/bash
                    script: |
                      if [[ $(params.string-param) != foo-string ]]; then
                        exit 1
                      fi
            """);

        Assert.Single(Array(run["spec"]!["params"]));
        AssertSucceededCondition(run, "True", "Succeeded");
    }

    /// <summary>TestArrayTaskParam: <c>$(params.a[0])</c> and <c>$(params.a[1])</c> index an array param; the result is <c>foo-bar</c>.</summary>
    [Fact(Timeout = 120_000)]
    public async Task ArrayTaskParam_IndexedElements_ConcatenatedIntoResult()
    {
        var run = await Run("""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata:
              name: array-task-param
            spec:
              params:
                - name: array-to-concat
                  value:
                    - foo
                    - bar
              taskSpec:
                results:
                - name: "concat-array"
                params:
                  - name: array-to-concat
                    type: array
                steps:
                - name: concat-array-params
                  image: mirror.gcr.io/alpine
                  command: ["/bin/sh", "-c"]
                  args:
                  - echo -n $(params.array-to-concat[0])"-"$(params.array-to-concat[1]) | tee $(results.concat-array.path);
            """);

        var param = Assert.Single(Array(run["spec"]!["params"]));
        Assert.Equal(2, Array(param!["value"]).Count);
        var result = Assert.Single(Array(Status(run)["results"]));
        Assert.Equal("foo-bar", Text(result!["value"]));
    }

    /// <summary>TestTaskParamDefaults: given params win, missing ones take their (string or array) defaults.</summary>
    [Fact(Timeout = 120_000)]
    public async Task TaskParamDefaults_StringAndArrayDefaults_UsedForMissingParams()
    {
        var run = await Run("""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata:
              name: task-param-defaults
            spec:
              params:
                - name: array-param
                  value:
                    - array-foo
                    - array-bar
                - name: string-param
                  value: string-foo
              taskSpec:
                results:
                - name: array-output
                - name: string-output
                params:
                  - name: array-param
                    type: array
                  - name: array-defaul-param
                    type: array
                    default:
                    - "array-foo-default"
                    - "array-bar-default"
                  - name: string-param
                    type: string
                  - name: string-default
                    type: string
                    default: "string-baz-default"
                steps:
                  - name: string-params-to-result
                    image: mirror.gcr.io/bash
                    command: ["/bin/sh", "-c"]
                    args:
                    - echo -n $(params.string-param)"-"$(params.string-default) | tee $(results.string-output.path);
                  - name: array-params-to-result
                    image: mirror.gcr.io/bash
                    command: ["/bin/sh", "-c"]
                    args:
                    - echo -n $(params.array-param[0])"-"$(params.array-defaul-param[1]) | tee $(results.array-output.path);
            """);

        var specParams = Array(run["spec"]!["params"]);
        Assert.Equal(2, specParams.Count);
        Assert.Equal(["array-foo", "array-bar"], Array(specParams.Single(p => Text(p!["name"]) == "array-param")!["value"]).Select(Text));
        Assert.Equal("string-foo", Text(specParams.Single(p => Text(p!["name"]) == "string-param")!["value"]));
        var results = Array(Status(run)["results"]).ToDictionary(r => Text(r!["name"])!, r => Text(r!["value"]));
        Assert.Equal(2, results.Count);
        Assert.Equal("string-foo-string-baz-default", results["string-output"]);
        Assert.Equal("array-foo-array-bar-default", results["array-output"]);
    }

    /// <summary>TestTaskParamDescription: a param's description is kept in <c>spec.taskSpec</c> and <c>status.taskSpec</c>.</summary>
    [Fact(Timeout = 120_000)]
    public async Task TaskParamDescription_Description_KeptInSpecAndStatusTaskSpec()
    {
        var run = await Run("""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata:
                name: task-param-description
            spec:
              taskSpec:
                params:
                - name: foo
                  description: foo param
                  default: "foo"
                steps:
                - name: add
                  image: mirror.gcr.io/alpine
                  env:
                  - name: OP1
                    value: $(params.foo)
                  command: ["/bin/sh", "-c"]
                  args:
                    - echo -n ${OP1}
            """);

        Assert.Equal("foo param", Text(run["spec"]!["taskSpec"]!["params"]![0]!["description"]));
        Assert.Equal("foo param", Text(Status(run)["taskSpec"]!["params"]![0]!["description"]));
    }

    /// <summary>
    /// TestTaskRunWorkspace: steps share an emptyDir workspace, whose path is
    /// <c>/workspace/custom-workspace</c>; spec and <c>status.taskSpec</c> keep the workspace.
    /// </summary>
    [Fact(Timeout = 120_000)]
    public async Task TaskRunWorkspace_StepsShareEmptyDir_PathIsWorkspaceSlashName()
    {
        var run = await Run("""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata:
              name: task-run-workspace
            spec:
              workspaces:
                - name: custom-workspace
                  # Please note that vendor services are welcomed to override the following actual workspace binding type.
                  # This is considered as the implementation detail for the conformant workspace fields.
                  emptyDir: {}
              taskSpec:
                steps:
                - name: write
                  image: mirror.gcr.io/ubuntu
                  script: echo $(workspaces.custom-workspace.path) > $(workspaces.custom-workspace.path)/foo
                - name: read
                  image: mirror.gcr.io/ubuntu
                  script: cat $(workspaces.custom-workspace.path)/foo
                - name: check
                  image: mirror.gcr.io/ubuntu
                  script: |
                    if [ "$(cat $(workspaces.custom-workspace.path)/foo)" != "/workspace/custom-workspace" ]; then
                      echo $(cat $(workspaces.custom-workspace.path)/foo)
                      exit 1
                    fi
                workspaces:
                - name: custom-workspace
            """);

        AssertSucceededCondition(run, "True", "Succeeded");
        var workspace = Assert.Single(Array(run["spec"]!["workspaces"]));
        Assert.Equal("custom-workspace", Text(workspace!["name"]));
        Assert.Equal("custom-workspace", Text(Status(run)["taskSpec"]!["workspaces"]![0]!["name"]));
    }

    /// <summary>TestTaskRunTimeout: a step that outlives the TaskRun's 15s timeout ends it False / TaskRunTimeout.</summary>
    [Fact(Timeout = 120_000)]
    public async Task TaskRunTimeout_StepOutlivesTimeout_TaskRunTimeout()
    {
        var run = await Run("""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata:
              name: task-run-timeout
            spec:
              timeout: 15s
              taskSpec:
                steps:
                - image: mirror.gcr.io/busybox
                  command: ['/bin/sh']
                  args: ['-c', 'sleep 15001']
            """, expectSuccess: false);

        AssertSucceededCondition(run, "False", "TaskRunTimeout");
    }
}
