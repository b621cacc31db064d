using System.Text.Json.Nodes;
using static Mothership.Testing.TektonConformance;

namespace Mothership.Testing;

/// <summary>
/// The PipelineRun behaviours of Tekton's conformance suite
/// (<see href="https://github.com/tektoncd/pipeline/blob/3ee1745ae5b2d9175b11917d7c1935eaad44910c/test/conformance/conformance_test.go">test/conformance/conformance_test.go</see>
/// at tektoncd/pipeline 3ee1745ae5b2d9175b11917d7c1935eaad44910c), ported as our own tests: each
/// test is named after the upstream <c>TestXxx</c> it ports, sends the same YAML and checks the
/// same fields of the returned PipelineRun. A concrete class per executor says how to run
/// (<see cref="ExecutorArgs"/>). Behaviours we do not meet yet are in
/// <c>TektonConformanceKnownDeviations</c> (IntegrationTests), not here.
/// </summary>
public abstract class TektonConformancePipelineRunCases
{
    /// <summary>
    /// TestPipelineWorkspace's PipelineRun: three tasks share a volumeClaimTemplate workspace; the
    /// first writes its own <c>$(workspaces.NAME.path)</c>, which Tekton mounts at
    /// <c>/workspace/NAME</c>, and the last checks that path. Not among the cases every executor
    /// runs: the local executor does not give that path yet (see <c>TektonConformanceKnownDeviations</c>),
    /// so the Kubernetes executor's tests run it on their own.
    /// </summary>
    public const string PipelineWorkspaceYaml = """
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata:
              name: pipeline-workspace
            spec:
              workspaces:
              - name: custom-workspace
                # Vendor service could override the actual workspace binding type.
                # This is considered as the implementation detail for the conformant workspace fields.
                volumeClaimTemplate:
                  spec:
                    accessModes:
                      - ReadWriteOnce
                    resources:
                      requests:
                        storage: 16Mi
                    volumeMode: Filesystem
              pipelineSpec:
                workspaces:
                - name: custom-workspace
                tasks:
                - name: write-task
                  taskSpec:
                    steps:
                    - name: write-step
                      image: mirror.gcr.io/ubuntu
                      script: |
                        echo $(workspaces.custom-workspace-write-task.path) > $(workspaces.custom-workspace-write-task.path)/foo
                        cat $(workspaces.custom-workspace-write-task.path)/foo
                    workspaces:
                    - name: custom-workspace-write-task
                  workspaces:
                  - name: custom-workspace-write-task
                    workspace: custom-workspace
                - name: read-task
                  taskSpec:
                    steps:
                    - name: read-step
                      image: mirror.gcr.io/ubuntu
                      script: cat $(workspaces.custom-workspace-read-task.path)/foo
                    workspaces:
                    - name: custom-workspace-read-task
                  workspaces:
                  - name: custom-workspace-read-task
                    workspace: custom-workspace
                  runAfter:
                  - write-task
                - name: check-task
                  taskSpec:
                    steps:
                    - name: check-step
                      image: mirror.gcr.io/ubuntu
                      script: |
                        if [ "$(cat $(workspaces.custom-workspace-check-task.path)/foo)" != "/workspace/custom-workspace-write-task" ]; then
                          echo $(cat $(workspaces.custom-workspace-check-task.path)/foo)
                          exit 1
                        fi
                    workspaces:
                    - name: custom-workspace-check-task
                  workspaces:
                  - name: custom-workspace-check-task
                    workspace: custom-workspace
                  runAfter:
                  - read-task
            """;

    /// <summary>Arguments added to every <c>mship run</c>: the executor and its settings.</summary>
    protected abstract string[] ExecutorArgs { get; }

    private Task<JsonNode> Run(string yaml, bool expectSuccess = true) => TektonConformance.RunAsync(yaml, expectSuccess, ExecutorArgs);

    /// <summary>TestPipelineRunConditions (the first of its two spellings): a minimal PipelineRun ends True / Succeeded.</summary>
    [Fact(Timeout = 120_000)]
    public async Task PipelineRunConditions_MinimalPipelineRun_SucceededTrue()
    {
        var run = await Run("""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata:
              name: pipeline-run-conditions
            spec:
              pipelineSpec:
                tasks:
                - name: pipeline-task-0
                  taskSpec:
                    steps:
                    - name: add
                      image: mirror.gcr.io/ubuntu
                      script: |
                        echo Hello world!
            """);

        AssertSucceededCondition(run, "True", "Succeeded");
    }

    /// <summary>TestPipelineRunConditions (its second spelling, the script a plain scalar).</summary>
    [Fact(Timeout = 120_000)]
    public async Task PipelineRunConditions_PlainScalarScript_SucceededTrue()
    {
        var run = await Run("""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata:
              name: pipeline-run-conditions-plain
            spec:
              pipelineSpec:
                tasks:
                - name: pipeline-task-0
                  taskSpec:
                    steps:
                    - name: add
                      image: mirror.gcr.io/ubuntu
                      script:
                        echo Hello world!
            """);

        AssertSucceededCondition(run, "True", "Succeeded");
    }

    /// <summary>TestPipelineTaskParams: the pipeline task's params are kept in <c>spec.pipelineSpec</c> as given (10 and 1).</summary>
    [Fact(Timeout = 120_000)]
    public async Task PipelineTaskParams_TwoParams_KeptInSpec()
    {
        var run = await Run("""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata:
              name: pipeline-task-params
            spec:
              pipelineSpec:
                tasks:
                - name: sum-params
                  taskSpec:
                    params:
                    - name: op0
                      type: string
                      description: The first integer from PipelineTask Param
                    - name: op1
                      type: string
                      description: The second integer from PipelineTask Param
                    steps:
                    - name: sum
                      image: mirror.gcr.io/bash
                      script: |
                        #!/usr/bin/env bash
                        echo -n $(( "$(inputs.params.op0)" + "$(inputs.params.op1)" ))
                  params:
                  - name: op0
                    value: 10
                  - name: op1
                    value: 1
            """);

        var task = Assert.Single(Array(run["spec"]!["pipelineSpec"]!["tasks"]));
        var parameters = Array(task!["params"]).Select(p => (Text(p!["name"]), Text(p!["value"]))).ToList();
        Assert.Equal([("op0", "10"), ("op1", "1")], parameters);
    }

    /// <summary>TestPipelineResult: a pipeline result made of a param and another task's result: <c>prefix:suffix</c>.</summary>
    [Fact(Timeout = 120_000)]
    public async Task PipelineResult_FromParamAndTaskResult_PrefixColonSuffix()
    {
        var run = await Run("""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata:
              name: pipeline-result
            spec:
              params:
              - name: prefix
                value: prefix
              pipelineSpec:
                results:
                - name: output
                  type: string
                  value: $(tasks.do-something.results.output)
                params:
                - name: prefix
                tasks:
                - name: generate-suffix
                  taskSpec:
                    results:
                    - name: suffix
                    steps:
                    - name: generate-suffix
                      image: mirror.gcr.io/alpine
                      script: |
                        echo -n "suffix" > $(results.suffix.path)
                - name: do-something
                  taskSpec:
                    results:
                    - name: output
                    params:
                    - name: arg
                    steps:
                    - name: do-something
                      image: mirror.gcr.io/alpine
                      script: |
                        echo -n "$(params.arg)" | tee $(results.output.path)
                  params:
                  - name: arg
                    value: "$(params.prefix):$(tasks.generate-suffix.results.suffix)"
            """);

        var result = Assert.Single(Array(run["status"]!["results"]));
        Assert.Equal("prefix:suffix", Text(result!["value"]));
    }

    /// <summary>
    /// TestPipelineTaskTimeout: a pipeline task's 15s timeout ends the PipelineRun False / Failed
    /// (upstream's TODO: PipelineTaskTimeout once tektoncd/pipeline#7573 is fixed).
    /// </summary>
    [Fact(Timeout = 120_000)]
    public async Task PipelineTaskTimeout_TaskOutlivesItsTimeout_PipelineRunFailed()
    {
        var run = await Run("""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata:
              name: pipeline-task-timeout
            spec:
              pipelineSpec:
                tasks:
                - name: timeout
                  timeout: 15s
                  taskSpec:
                    steps:
                    - image: mirror.gcr.io/busybox
                      command: ['/bin/sh']
                      args: ['-c', 'sleep 15001']
            """, expectSuccess: false);

        AssertSucceededCondition(run, "False", "Failed");
    }

    /// <summary>TestPipelineRunChildReferences: one child reference per pipeline task, named <c>RUN-TASK</c>.</summary>
    [Fact(Timeout = 120_000)]
    public async Task PipelineRunChildReferences_TwoTasks_ChildReferencesNamedRunDashTask()
    {
        var run = await Run("""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata:
              name: pipeline-run-child-references
            spec:
              pipelineSpec:
                tasks:
                - name: pipeline-task-0
                  taskSpec:
                    steps:
                    - name: hello-step
                      image: mirror.gcr.io/ubuntu
                      script:
                        echo Hello world!
                - name: pipeline-task-1
                  taskSpec:
                    steps:
                    - name: hell-step
                      image: mirror.gcr.io/ubuntu
                      script:
                        echo Hello world!
            """);

        AssertSucceededCondition(run, "True", "Succeeded");
        var expected = new Dictionary<string, string>
        {
            ["pipeline-task-0"] = "pipeline-run-child-references-pipeline-task-0",
            ["pipeline-task-1"] = "pipeline-run-child-references-pipeline-task-1",
        };
        var references = Array(run["status"]!["childReferences"]);
        Assert.Equal(2, references.Count);
        Assert.All(references, r => Assert.Equal(expected[Text(r!["pipelineTaskName"])!], Text(r!["name"])));
    }

    /// <summary>
    /// TestPipelineRunTimeout: <c>timeouts.tasks: 15s</c> reached while a task runs ends the
    /// PipelineRun False / PipelineRunTimeout.
    /// </summary>
    [Fact(Timeout = 120_000)]
    public async Task PipelineRunTimeout_TasksTimeoutReached_PipelineRunTimeout()
    {
        var run = await Run("""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata:
              name: pipeline-run-timeout
            spec:
              timeouts:
                tasks: 15s
              pipelineSpec:
                tasks:
                - name: timeout
                  taskSpec:
                    steps:
                    - image: mirror.gcr.io/busybox
                      command: ['/bin/sh']
                      args: ['-c', 'sleep 15001']
            """, expectSuccess: false);

        AssertSucceededCondition(run, "False", "PipelineRunTimeout");
    }

    /// <summary>
    /// TestPipelineRunTaskFinally: a finally task reads a task's result, and a pipeline result
    /// reads the finally task's result (<c>$(finally.exponent.results.product)</c>): 33 × 33 = 1089.
    /// </summary>
    [Fact(Timeout = 120_000)]
    public async Task PipelineRunTaskFinally_PipelineResultFromFinallyTask_Resolved()
    {
        var run = await Run("""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata:
              name: pipeline-run-task-finally
            spec:
              pipelineSpec:
                params:
                  - name: a
                    type: string
                  - name: b
                    type: string
                results:
                  - name: task-result
                    description: "grabbing results from the tasks section"
                    value: $(tasks.multiply-inputs.results.product)
                  - name: finally-result
                    description: "grabbing results from the finally section"
                    value: $(finally.exponent.results.product)
                tasks:
                  - name: multiply-inputs
                    taskSpec:
                      results:
                        - name: product
                          description: The product of the two provided integers
                      steps:
                        - name: product
                          image: mirror.gcr.io/bash
                          script: |
                            #!/usr/bin/env bash
                            echo -n $(( "$(params.a)" * "$(params.b)" )) | tee $(results.product.path)
                    params:
                      - name: a
                        value: "$(params.a)"
                      - name: b
                        value: "$(params.b)"
                finally:
                  - name: exponent
                    taskSpec:
                      results:
                        - name: product
                          description: The product of the two provided integers
                      steps:
                        - name: product
                          image: mirror.gcr.io/bash
                          script: |
                            #!/usr/bin/env bash
                            echo -n $(( "$(params.a)" * "$(params.b)" )) | tee $(results.product.path)
                    params:
                      - name: a
                        value: "$(tasks.multiply-inputs.results.product)$(tasks.multiply-inputs.results.product)"
                      - name: b
                        value: "$(tasks.multiply-inputs.results.product)$(tasks.multiply-inputs.results.product)"
              params:
                - name: a
                  value: 3
                - name: b
                  value: 1
            """);

        Assert.Single(Array(run["status"]!["conditions"]));
        // Upstream: (a*10 + a) * (b*10 + b) * a * b with a = 3, b = 1.
        var finallyResult = Array(run["status"]!["results"]).Single(r => Text(r!["name"]) == "finally-result");
        Assert.Equal("1089", Text(finallyResult!["value"]));
    }
}
