using static Mothership.Model.Tests.Validation.ValidationHarness;

namespace Mothership.Model.Tests.Validation;

/// <summary>Rules 2, 3, 6, 7 and 8 for pipelines: references, the DAG, when, matrix and task settings.</summary>
public class PipelineValidatorTests
{
    [Fact]
    public void Validate_RunAfterUnknownTask_ReportsRunAfterItem()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              tasks:
                - name: a
                  taskSpec: {steps: [{image: alpine}]}
                - name: b
                  runAfter:
                    - a
                    - nope
                  taskSpec: {steps: [{image: alpine}]}
            """, 11, 11, "runs after 'nope', which is not defined in tasks");
    }

    [Fact]
    public void Validate_FinallyTaskWithRunAfter_ReportsRunAfter()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              tasks:
                - name: a
                  taskSpec: {steps: [{image: alpine}]}
              finally:
                - name: cleanup
                  runAfter: [a]
                  taskSpec: {steps: [{image: alpine}]}
            """, 10, 7, "finally task 'cleanup' uses runAfter");
    }

    [Fact]
    public void Validate_TaskRefToUndefinedTask_ReportsRefName()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              tasks:
                - name: a
                  taskRef:
                    name: missing
            """, 8, 9, "references Task 'missing', which is not defined");
    }

    [Fact]
    public void Validate_TaskRefWithResolver_NotReportedHere()
    {
        NoErrors("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              tasks:
                - name: a
                  taskRef:
                    resolver: git
                    params:
                      - {name: url, value: "https://github.com/tektoncd/catalog.git"}
                      - {name: pathInRepo, value: task/git-clone/0.10/git-clone.yaml}
            """);
    }

    [Fact]
    public void Validate_TaskRefToCustomTaskKind_ReportsKind()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              tasks:
                - name: wait
                  taskRef:
                    apiVersion: example.dev/v1
                    kind: Wait
                    name: w
            """, 9, 9, "taskRef kind 'Wait' is a custom task, which is not supported");
    }

    [Fact]
    public void Validate_TaskRefToDefinedTask_ReportsNothing()
    {
        NoErrors("""
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: t}
            spec:
              steps: [{image: alpine}]
            ---
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              tasks:
                - name: a
                  taskRef: {name: t}
            """);
    }

    [Fact]
    public void Validate_PipelineTaskWithNeitherTaskRefNorTaskSpec_ReportsTask()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              tasks:
                - name: a
                  retries: 1
            """, 6, 7, "pipeline task 'a' has neither taskRef nor taskSpec");
    }

    [Fact]
    public void Validate_PipelineTaskWithBothTaskRefAndTaskSpec_ReportsTask()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: t}
            spec:
              steps: [{image: alpine}]
            ---
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              tasks:
                - name: a
                  taskRef: {name: t}
                  taskSpec: {steps: [{image: alpine}]}
            """, 12, 7, "pipeline task 'a' has both taskRef and taskSpec");
    }

    [Fact]
    public void Validate_DependencyCycle_ReportsPathAtFirstTask()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              tasks:
                - name: a
                  runAfter: [c]
                  taskSpec: {steps: [{image: alpine}]}
                - name: b
                  runAfter: [a]
                  taskSpec: {steps: [{image: alpine}]}
                - name: c
                  runAfter: [b]
                  taskSpec: {steps: [{image: alpine}]}
            """, 6, 7, "dependency cycle: a → b → c → a");
    }

    [Fact]
    public void Validate_InvalidWhenOperator_ReportsOperator()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              tasks:
                - name: a
                  when:
                    - input: "x"
                      operator: equals
                      values: ["x"]
                  taskSpec: {steps: [{image: alpine}]}
            """, 9, 11, "invalid when operator 'equals': use in or notin");
    }

    [Fact]
    public void Validate_WhenWithEmptyValues_ReportsValues()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              tasks:
                - name: a
                  when:
                    - input: "x"
                      operator: in
                      values: []
                  taskSpec: {steps: [{image: alpine}]}
            """, 10, 11, "when expression has no values");
    }

    [Fact]
    public void Validate_WhenWithCelAndInput_ReportsExpression()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              tasks:
                - name: a
                  when:
                    - cel: "'a' == 'a'"
                      input: "x"
                  taskSpec: {steps: [{image: alpine}]}
            """, 8, 11, "both cel and input/operator/values");
    }

    [Fact]
    public void Validate_WhenCelNotParsing_ReportsCel()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              tasks:
                - name: a
                  when:
                    - cel: "'a' =="
                  taskSpec: {steps: [{image: alpine}]}
            """, 8, 11, "invalid CEL expression \"'a' ==\": ");
    }

    [Fact]
    public void Validate_WhenCelValidOrWithReferences_NoErrors()
    {
        // The second text is not CEL until $(params.env) is substituted: it is checked at run time.
        NoErrors("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              params: [{name: env}]
              tasks:
                - name: a
                  when:
                    - cel: "'main'.startsWith('m') && 'a' in ['a', 'b']"
                    - cel: "$(params.env) == "
                  taskSpec: {steps: [{image: alpine}]}
            """);
    }

    [Fact]
    public void Validate_PipelineTaskOnErrorInvalid_ReportsOnError()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              tasks:
                - name: a
                  onError: ignore
                  taskSpec: {steps: [{image: alpine}]}
            """, 7, 7, "invalid onError 'ignore': use continue or stopAndFail");
    }

    [Fact]
    public void Validate_NegativeRetries_ReportsRetries()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              tasks:
                - name: a
                  retries: -1
                  taskSpec: {steps: [{image: alpine}]}
            """, 7, 7, "retries -1: use 0 or more");
    }

    [Fact]
    public void Validate_PipelineTaskTimeoutNotADuration_ReportsTimeout()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              tasks:
                - name: a
                  timeout: 10 minutes
                  taskSpec: {steps: [{image: alpine}]}
            """, 7, 7, "invalid timeout '10 minutes'");
    }

    [Fact]
    public void Validate_MatrixParamNotArray_ReportsValue()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              tasks:
                - name: a
                  matrix:
                    params:
                      - name: os
                        value: linux
                  taskSpec: {steps: [{image: alpine}]}
            """, 10, 13, "matrix param 'os' of pipeline task 'a' is a string: matrix params must be arrays");
    }

    [Fact]
    public void Validate_MatrixParamAlsoInParams_ReportsMatrixParam()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              tasks:
                - name: a
                  params:
                    - {name: os, value: linux}
                  matrix:
                    params:
                      - name: os
                        value: [linux, mac]
                  taskSpec: {steps: [{image: alpine}]}
            """, 11, 13, "param 'os' of pipeline task 'a' is both in params and in matrix");
    }

    [Fact]
    public void Validate_ManyProblems_ReportsAllOfThem()
    {
        var errors = Errors("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              tasks:
                - name: a
                  runAfter: [nope]
                  retries: -2
                  taskRef: {name: missing}
                - name: a
                  onError: maybe
                  taskSpec: {steps: []}
            """);

        Assert.Equal(
            [(7, 18), (8, 7), (9, 17), (10, 7), (11, 7), (12, 18)],
            errors.Select(e => (e.Location.Line, e.Location.Column)));
    }

    [Fact]
    public void Validate_MatrixOverTheCombinationLimit_ReportsMatrix()
    {
        // Issue finding 7: 3 params × 100 values (a 1 KB body) fanned out to 1,000,000 TaskRuns and took 14 GB.
        var values = string.Join(", ", Enumerable.Range(0, 100).Select(i => $"v{i}"));
        SingleError($$"""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              tasks:
                - name: a
                  matrix:
                    params:
                      - {name: x, value: [{{values}}]}
                      - {name: y, value: [{{values}}]}
                      - {name: z, value: [{{values}}]}
                  taskSpec:
                    params: [{name: x}, {name: y}, {name: z}]
                    steps: [{image: alpine}]
            """, 7, 7, "the matrix of pipeline task 'a' fans out to 1000000 TaskRuns: at most 256 are allowed");
    }

    [Fact]
    public void Validate_MatrixAtTheCombinationLimitWithMatchingInclude_IsAccepted()
    {
        var values = string.Join(", ", Enumerable.Range(0, 16).Select(i => $"v{i}"));
        NoErrors($$"""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              tasks:
                - name: a
                  matrix:
                    params:
                      - {name: x, value: [{{values}}]}
                      - {name: y, value: [{{values}}]}
                    include:
                      - {name: extra, params: [{name: x, value: v1}, {name: flag, value: on}]}
                  taskSpec:
                    params: [{name: x}, {name: y}, {name: flag, default: off}]
                    steps: [{image: alpine}]
            """);
    }

    [Fact]
    public void Validate_MatrixOneOverTheLimitThroughInclude_ReportsMatrix()
    {
        var values = string.Join(", ", Enumerable.Range(0, 16).Select(i => $"v{i}"));
        SingleError($$"""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              tasks:
                - name: a
                  matrix:
                    params:
                      - {name: x, value: [{{values}}]}
                      - {name: y, value: [{{values}}]}
                    include:
                      - {name: new, params: [{name: x, value: v99}]}
                  taskSpec:
                    params: [{name: x}, {name: y, default: none}]
                    steps: [{image: alpine}]
            """, 7, 7, "fans out to 257 TaskRuns");
    }

    [Fact]
    public void Validate_MatrixFromParams_IsLeftToTheEngine() =>
        NoErrors("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              params: [{name: xs, type: array}]
              tasks:
                - name: a
                  matrix:
                    params:
                      - {name: x, value: ["$(params.xs[*])"]}
                  taskSpec:
                    params: [{name: x}]
                    steps: [{image: alpine}]
            """);

    [Fact]
    public void Validate_MoreTasksThanTheLimit_ReportsTasksOnce()
    {
        var tasks = string.Join("\n", Enumerable.Range(0, 20_001).Select(i => $"    - {{name: t{i}, taskRef: {{name: nope}}}}"));
        var yaml = "apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n  tasks:\n" + tasks + "\n";

        SingleError(yaml, 5, 3, "Pipeline 'p' has 20001 tasks (tasks and finally together): Mothership runs at most 20000 in one pipeline");
    }

    [Fact]
    public void Validate_TenThousandTasks_AreWithinTheLimits() =>
        NoErrors("apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n  tasks:\n" +
            string.Join("\n", Enumerable.Range(0, 10_000).Select(i => $"    - {{name: t{i}, taskSpec: {{steps: [{{name: noop, image: bash, command: [bash, -c, 'true']}}]}}}}")) + "\n");
}
