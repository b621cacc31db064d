using static Mothership.Model.Tests.Validation.ValidationHarness;

namespace Mothership.Model.Tests.Validation;

/// <summary>Rule 4 and the reference half of rule 5: every $(…) names something in scope.</summary>
public class VariableValidatorTests
{
    [Fact]
    public void Validate_PipelineTaskParamUsesUndeclaredPipelineParam_ReportsValue()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              params:
                - name: url
              tasks:
                - name: a
                  params:
                    - name: u
                      value: $(params.ur)
                  taskSpec:
                    params: [{name: u}]
                    steps: [{image: alpine}]
            """, 11, 11, "$(params.ur) names param 'ur', which is not declared");
    }

    [Fact]
    public void Validate_EmbeddedTaskSpecUsesPropagatedParams_ReportsOnlyUnknownOne()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              params:
                - name: fromPipeline
              tasks:
                - name: a
                  params:
                    - {name: passed, value: x}
                  taskSpec:
                    params: [{name: own, default: y}]
                    steps:
                      - image: alpine
                        args: ["$(params.fromPipeline)", "$(params.passed)", "$(params.own)", "$(params.nowhere)"]
            """, 15, 83, "$(params.nowhere) names param 'nowhere'");
    }

    [Fact]
    public void Validate_ResultOfUndefinedTask_ReportsReference()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              tasks:
                - name: a
                  when:
                    - input: $(tasks.build.results.digest)
                      operator: in
                      values: ["x"]
                  taskSpec: {steps: [{image: alpine}]}
            """, 8, 11, "names task 'build', which is not defined in tasks");
    }

    [Fact]
    public void Validate_ResultNotDeclaredByProducer_ReportsReference()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              tasks:
                - name: build
                  taskSpec:
                    results: [{name: digest}]
                    steps: [{image: alpine}]
                - name: use
                  params:
                    - name: d
                      value: $(tasks.build.results.digets)
                  taskSpec:
                    params: [{name: d}]
                    steps: [{image: alpine}]
            """, 13, 11, "names result 'digets', which task 'build' does not declare");
    }

    [Fact]
    public void Validate_TaskStatusOutsideFinally_ReportsReference()
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
                  params:
                    - {name: s, value: $(tasks.a.status)}
                  taskSpec:
                    params: [{name: s}]
                    steps: [{image: alpine}]
              finally:
                - name: report
                  params:
                    - {name: s, value: "$(tasks.a.status) $(tasks.status)"}
                  taskSpec:
                    params: [{name: s}]
                    steps: [{image: alpine}]
            """, 10, 21, "$(tasks.a.status) is only available in finally tasks");
    }

    [Fact]
    public void Validate_PipelineTaskUsesUndeclaredWorkspace_WarnsAsTektonAcceptsIt()
    {
        SingleWarning("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              workspaces:
                - name: cache
              tasks:
                - name: a
                  when:
                    - input: $(workspaces.cahce.bound)
                      operator: in
                      values: ["true"]
                  taskSpec: {steps: [{image: alpine}]}
            """, 10, 11, "names workspace 'cahce', which is not declared");
    }

    [Fact]
    public void Validate_TaskUsesUndeclaredParam_ReportsField()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: t}
            spec:
              params:
                - name: msg
              steps:
                - image: alpine
                  script: |
                    echo $(params.msg) $(params.mgs)
            """, 9, 7, "$(params.mgs) names param 'mgs', which is not declared: add it to the params of Task 't'");
    }

    [Fact]
    public void Validate_TaskUsesUndeclaredResult_ReportsField()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: t}
            spec:
              results:
                - name: out
              steps:
                - image: alpine
                  command: [sh, -c, "echo hi > $(results.output.path)"]
            """, 9, 25, "$(results.output.path) names result 'output', which is not declared");
    }

    [Fact]
    public void Validate_TaskUsesUndeclaredWorkspace_WarnsAsTektonAcceptsIt()
    {
        SingleWarning("""
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: t}
            spec:
              workspaces:
                - name: source
              steps:
                - image: alpine
                  workingDir: $(workspaces.src.path)
            """, 9, 7, "$(workspaces.src.path) names workspace 'src'");
    }

    [Fact]
    public void Validate_UndeclaredWorkspaceInAnEnvValue_WarningOnly()
    {
        // Tekton validates no $(workspaces.…) reference; it leaves an undeclared one as written.
        SingleWarning("""
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: t}
            spec:
              steps:
                - image: alpine
                  env:
                    - name: DOCKER_CONFIG
                      value: $(workspaces.dockerconfig.path)
                  script: echo hi
            """, 9, 11, "names workspace 'dockerconfig', which is not declared");
    }

    [Fact]
    public void Validate_ArrayExpansionOfStringParam_ReportsField()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: t}
            spec:
              params:
                - name: flags
                - name: list
                  type: array
              steps:
                - image: alpine
                  args: ["$(params.list[*])", "$(params.flags[*])"]
            """, 11, 35, "$(params.flags[*]) indexes param 'flags', which is a string");
    }

    [Fact]
    public void Validate_KeyOfNonObjectParam_ReportsField()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: t}
            spec:
              params:
                - name: repo
                - name: git
                  type: object
                  properties: {url: {type: string}}
              steps:
                - image: alpine
                  env:
                    - name: A
                      value: $(params.git.url)
                    - name: B
                      value: $(params.repo.url)
            """, 16, 11, "reads key 'url' of param 'repo', which is a string");
    }

    [Fact]
    public void Validate_ContextAndStepVariables_AreNotChecked()
    {
        NoErrors("""
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: t}
            spec:
              params:
                - name: a.b
                  default: x
              steps:
                - image: alpine
                  script: echo $(context.taskRun.name) $(steps.step-x.exitCode.path) $(step.results.r.path) $(credentials.path) $(params["a.b"])
            """);
    }
}
