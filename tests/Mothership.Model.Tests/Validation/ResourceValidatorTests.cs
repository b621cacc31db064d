using static Mothership.Model.Tests.Validation.ValidationHarness;

namespace Mothership.Model.Tests.Validation;

/// <summary>Runs, tasks and param types (rules 2, 5 and 7).</summary>
public class ResourceValidatorTests
{
    private const string EchoTask = """
        apiVersion: tekton.dev/v1
        kind: Task
        metadata: {name: echo}
        spec:
          params:
            - name: msg
            - name: flags
              type: array
              default: []
          steps: [{image: alpine}]
        ---

        """;

    [Fact]
    public void Validate_PipelineRunRefToUndefinedPipeline_ReportsRefName()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata: {name: r}
            spec:
              pipelineRef:
                name: nope
            """, 6, 5, "references Pipeline 'nope', which is not defined");
    }

    [Fact]
    public void Validate_TaskRunRefToUndefinedTask_ReportsRefName()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata: {name: r}
            spec:
              taskRef:
                name: nope
            """, 6, 5, "references Task 'nope', which is not defined");
    }

    [Fact]
    public void Validate_StepRefToUndefinedStepAction_ReportsRef()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: t}
            spec:
              steps:
                - name: clone
                  ref:
                    name: git-clone
            """, 7, 7, "references StepAction 'git-clone', which is not defined");
    }

    [Fact]
    public void Validate_PipelineRunWithoutPipeline_ReportsSpec()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata: {name: r}
            spec:
              params: []
            """, 5, 3, "has neither pipelineRef nor pipelineSpec");
    }

    [Fact]
    public void Validate_TaskRunWithTaskRefAndTaskSpec_ReportsSpec()
    {
        SingleError(EchoTask + """
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata: {name: r}
            spec:
              params: [{name: msg, value: hi}]
              taskRef: {name: echo}
              taskSpec: {steps: [{image: alpine}]}
            """, 16, 3, "has both taskRef and taskSpec");
    }

    [Fact]
    public void Validate_TaskWithoutSteps_ReportsTask()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: t}
            spec:
              description: nothing to do
            """, 5, 3, "Task 't' has no steps");
    }

    [Fact]
    public void Validate_StepOnErrorInvalid_ReportsOnError()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: t}
            spec:
              steps:
                - image: alpine
                  onError: keepGoing
            """, 7, 7, "invalid onError 'keepGoing': use continue or stopAndFail");
    }

    [Fact]
    public void Validate_PipelineRunTimeoutNotADuration_ReportsTimeout()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata: {name: r}
            spec:
              timeouts:
                pipeline: 1h
                tasks: 30
                finally: 5m
              pipelineSpec:
                tasks:
                  - name: a
                    taskSpec: {steps: [{image: alpine}]}
            """, 7, 5, "invalid timeout '30'");
    }

    [Fact]
    public void Validate_NegativeTaskRunTimeout_ReportsTimeout()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata: {name: r}
            spec:
              timeout: -5m
              taskSpec: {steps: [{image: alpine}]}
            """, 5, 3, "timeout '-5m' is negative");
    }

    [Fact]
    public void Validate_TimeoutsBeyondTheLongestWait_ReportEachNamingTheMaximum()
    {
        // Issue finding 10: 8760h was accepted, then the run ended InternalError (ArgumentOutOfRangeException).
        var errors = Errors("""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata: {name: r}
            spec:
              timeouts: {pipeline: 8760h, tasks: 1000h0m1s, finally: 1000h}
              pipelineSpec:
                tasks:
                  - name: a
                    timeout: 8760h
                    taskSpec:
                      steps:
                        - {name: s, image: alpine, timeout: 8760h}
            ---
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata: {name: t}
            spec:
              timeout: 2000h
              taskSpec: {steps: [{image: alpine}]}
            """);

        Assert.Equal([(5, 14), (5, 31), (9, 9), (12, 40), (18, 3)], errors.Select(e => (e.Location.Line, e.Location.Column)));
        Assert.All(errors, e => Assert.Contains("is longer than 1000h0m0s, the longest Mothership can wait", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_TimeoutAtTheLongestWait_IsAccepted() =>
        NoErrors("""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata: {name: r}
            spec:
              timeout: 1000h
              taskSpec: {steps: [{image: alpine, timeout: 60000m}]}
            """);

    [Fact]
    public void Validate_LiteralOfWrongType_ReportsValue()
    {
        SingleError(EchoTask + """
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              params:
                - name: extra
                  type: array
              tasks:
                - name: a
                  taskRef: {name: echo}
                  params:
                    - name: msg
                      value: [one, two]
                    - name: flags
                      value: $(params.extra)
            """, 24, 11, "param 'msg' of Task 'echo' (in pipeline task 'a') is a string, but the value given is an array");
    }

    [Fact]
    public void Validate_PipelineTaskMissingRequiredParam_ReportsTask()
    {
        SingleError(EchoTask + """
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              tasks:
                - name: a
                  taskRef: {name: echo}
            """, 17, 7, "required param 'msg' of Task 'echo' (in pipeline task 'a') is not passed");
    }

    [Fact]
    public void Validate_PipelineRunMissingRequiredParam_ReportsParams()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              params:
                - name: url
                - name: rev
                  default: main
              tasks:
                - name: a
                  taskSpec: {steps: [{image: alpine}]}
            ---
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata: {name: r}
            spec:
              pipelineRef: {name: p}
              params:
                - {name: rev, value: dev}
            """, 18, 3, "required param 'url' of Pipeline 'p' is not passed");
    }

    [Fact]
    public void Validate_TaskRunMissingRequiredParam_ReportsSpec()
    {
        SingleError(EchoTask + """
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata: {name: r}
            spec:
              taskRef: {name: echo}
            """, 16, 3, "required param 'msg' of Task 'echo' is not passed");
    }

    [Fact]
    public void Validate_ValidPipelineRunWithEverything_ReportsNothing()
    {
        NoErrors(EchoTask + """
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              params:
                - name: names
                  type: array
              workspaces:
                - name: shared
              tasks:
                - name: build
                  workspaces: [{name: out, workspace: shared}]
                  taskSpec:
                    workspaces: [{name: out}]
                    results: [{name: digest}]
                    steps:
                      - image: alpine
                        script: echo -n abc > $(results.digest.path) && ls $(workspaces.out.path)
                - name: greet
                  taskRef: {name: echo}
                  timeout: 1h30m
                  retries: 2
                  onError: continue
                  params:
                    - {name: msg, value: "$(tasks.build.results.digest)"}
                    - {name: flags, value: ["$(params.names[*])"]}
                  when:
                    - {input: "$(workspaces.shared.bound)", operator: in, values: ["true"]}
                - name: fan
                  runAfter: [greet]
                  taskRef: {name: echo}
                  matrix:
                    params:
                      - {name: msg, value: $(params.names)}
              finally:
                - name: report
                  params:
                    - {name: msg, value: "$(tasks.greet.status) $(tasks.status)"}
                  taskRef: {name: echo}
            ---
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata: {name: r}
            spec:
              pipelineRef: {name: p}
              params:
                - {name: names, value: [a, b]}
              timeouts: {pipeline: 2h, tasks: 1h, finally: "0"}
            """);
    }

    [Fact]
    public void Validate_TaskRunSpecForUnknownPipelineTask_ReportsItsName()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata: {name: r}
            spec:
              taskRunSpecs:
                - pipelineTaskName: nope
                  serviceAccountName: sa
              pipelineSpec:
                tasks:
                  - name: a
                    taskSpec: {steps: [{image: alpine}]}
            """, 6, 7, "taskRunSpecs names pipeline task 'nope'");
    }
}
