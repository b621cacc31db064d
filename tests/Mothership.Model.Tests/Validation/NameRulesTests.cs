using static Mothership.Model.Tests.Validation.ValidationHarness;

namespace Mothership.Model.Tests.Validation;

/// <summary>Rule 1: names must be unique where Tekton looks things up by name.</summary>
public class NameRulesTests
{
    [Fact]
    public void Validate_TaskNameRepeatedInFinally_ReportsSecondTask()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              tasks:
                - name: build
                  taskSpec: {steps: [{image: alpine}]}
              finally:
                - name: build
                  taskSpec: {steps: [{image: alpine}]}
            """, 9, 7, "duplicate pipeline task name 'build' (first at line 6)");
    }

    [Fact]
    public void Validate_DuplicateStepNames_ReportsSecondStepButNotUnnamedOnes()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: t}
            spec:
              steps:
                - image: alpine
                - image: alpine
                - name: run
                  image: alpine
                - name: run
                  image: alpine
            """, 10, 7, "duplicate step name 'run'");
    }

    [Fact]
    public void Validate_DuplicateDeclaredParams_ReportsSecondParam()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: t}
            spec:
              params:
                - name: url
                  default: a
                - name: url
                  default: b
              steps: [{image: alpine}]
            """, 8, 7, "duplicate param name 'url'");
    }

    [Fact]
    public void Validate_ParamPassedTwiceToPipelineTask_ReportsSecondParam()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              tasks:
                - name: a
                  params:
                    - name: x
                      value: "1"
                    - name: x
                      value: "2"
                  taskSpec: {steps: [{image: alpine}]}
            """, 10, 11, "duplicate param name 'x'");
    }

    [Fact]
    public void Validate_ParamPassedTwiceToTaskRun_ReportsSecondParam()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata: {name: r}
            spec:
              params:
                - {name: x, value: "1"}
                - {name: x, value: "2"}
              taskSpec: {steps: [{image: alpine}]}
            """, 7, 8, "duplicate param name 'x'");
    }

    [Fact]
    public void Validate_DuplicateResults_ReportsSecondResult()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: t}
            spec:
              results:
                - name: digest
                - name: digest
              steps: [{image: alpine}]
            """, 7, 7, "duplicate result name 'digest'");
    }

    [Fact]
    public void Validate_DuplicateWorkspaces_ReportsSecondWorkspace()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              workspaces:
                - name: src
                - name: src
              tasks:
                - name: a
                  taskSpec: {steps: [{image: alpine}]}
            """, 7, 7, "duplicate workspace name 'src'");
    }
}
