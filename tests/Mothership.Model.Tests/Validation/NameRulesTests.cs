using Mothership.Model.Loading;
using Mothership.Model.Tekton;
using Mothership.Model.Validation;
using static Mothership.Model.Tests.Validation.ValidationHarness;

namespace Mothership.Model.Tests.Validation;

/// <summary>Rule 1: names must be unique where Tekton looks things up by name, and of the form Kubernetes and Tekton accept.</summary>
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
    public void Validate_SameTaskDefinedTwiceInOneFile_ReportsSecondNamingFirst()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: build}
            spec: {steps: [{image: alpine}]}
            ---
            apiVersion: tekton.dev/v1
            kind: Task
            metadata:
              name: build
            spec: {steps: [{image: busybox}]}
            """, 9, 3, "duplicate Task 'build': also defined at test.yaml:3:12");
    }

    [Fact]
    public void Validate_SamePipelineInTwoFiles_ReportsBothPlaces()
    {
        const string Yaml = """
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec: {tasks: [{name: a, taskSpec: {steps: [{image: alpine}]}}]}
            """;
        var bag = new Mothership.Model.Diagnostics.DiagnosticBag();
        var resources = new ResourceSet { All = [.. ResourceLoader.Load("one.yaml", Yaml, bag), .. ResourceLoader.Load("two.yaml", Yaml, bag)] };

        ResourceValidator.Validate(resources, bag);

        var error = Assert.Single(bag.Items, d => d.Severity == Mothership.Model.Diagnostics.Severity.Error);
        Assert.Equal("two.yaml:3:12", error.Location.ToString());
        Assert.Contains("duplicate Pipeline 'p': also defined at one.yaml:3:12", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TaskAndPipelineOfOneName_NoError()
    {
        NoErrors("""
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: x}
            spec: {steps: [{image: alpine}]}
            ---
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: x}
            spec: {tasks: [{name: a, taskRef: {name: x}}]}
            """);
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

    [Theory]
    [InlineData("\"\"")]
    [InlineData("../../etc")]
    [InlineData("a/b")]
    [InlineData("Upper")]
    [InlineData("\"a\\nb\"")]
    [InlineData("\"a\\e[31mb\"")]
    [InlineData("ünï")]
    public void Validate_BadResourceName_ReportsItAtTheName(string name)
    {
        var error = SingleError($$"""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata:
              name: {{name}}
            spec:
              taskSpec: {steps: [{image: alpine}]}
            """, 4, 3, "TaskRun name '");

        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain('\u001b', error.Message);
    }

    [Fact]
    public void Validate_Name300Characters_Reported()
    {
        SingleError($$"""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata:
              name: {{new string('a', 300)}}
            spec:
              tasks:
                - name: a
                  taskSpec: {steps: [{image: alpine}]}
            """, 4, 3, "(300 characters) is invalid");
    }

    [Fact]
    public void Validate_BadGenerateName_ReportedAtIt()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata:
              generateName: Build_
            spec:
              pipelineSpec:
                tasks:
                  - name: a
                    taskSpec: {steps: [{image: alpine}]}
            """, 4, 3, "PipelineRun generateName 'Build_' is invalid");
    }

    [Fact]
    public void Validate_BadConfigMapAndSecretNames_Reported()
    {
        var errors = Errors("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: My_Config}
            data: {a: b}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: "a/b"}
            stringData: {a: b}
            """);

        Assert.Collection(errors,
            e => Assert.Contains("ConfigMap name 'My_Config'", e.Message, StringComparison.Ordinal),
            e => Assert.Contains("Secret name 'a/b'", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_DottedNames_AcceptedAsTektonDoes()
    {
        NoErrors("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: demo.pipeline, namespace: team-a}
            spec:
              tasks:
                - name: a
                  taskSpec: {steps: [{image: alpine}]}
            """);
    }

    [Theory]
    [InlineData("Build")]
    [InlineData("a.b")]
    [InlineData("a_b")]
    [InlineData("-a")]
    public void Validate_BadPipelineTaskName_Reported(string name)
    {
        SingleError($$"""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              tasks:
                - name: {{name}}
                  taskSpec: {steps: [{image: alpine}]}
            """, 6, 7, "pipeline task name '");
    }

    [Fact]
    public void Validate_BadStepAndSidecarNames_Reported()
    {
        var errors = Errors("""
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: t}
            spec:
              sidecars:
                - name: Db
                  image: postgres
              steps:
                - name: Build.It
                  image: alpine
                - name: ok
                  image: alpine
            """);

        Assert.Collection(errors,
            e => Assert.Equal((6, 7, true), (e.Location.Line, e.Location.Column, e.Message.StartsWith("sidecar name 'Db' is invalid", StringComparison.Ordinal))),
            e => Assert.Equal((9, 7, true), (e.Location.Line, e.Location.Column, e.Message.StartsWith("step name 'Build.It' is invalid", StringComparison.Ordinal))));
    }

    [Fact]
    public void Validate_StepName64Characters_Reported()
    {
        SingleError($$"""
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: t}
            spec:
              steps:
                - name: {{new string('s', 64)}}
                  image: alpine
            """, 6, 7, "step name '");
    }

    [Fact]
    public void Validate_ParamNamesAsTektonChecksThem_ReportsTheBadOnes()
    {
        var errors = Errors("""
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: t}
            spec:
              params:
                - name: _ok.name-1
                - name: 1st
                - name: "a b"
                - name: obj.dot
                  type: object
                  properties: {good: {}, "bad.key": {}}
              steps: [{image: alpine}]
            """);

        Assert.Collection(errors,
            e => Assert.Equal((7, 7), (e.Location.Line, e.Location.Column)),
            e => Assert.Equal((8, 7), (e.Location.Line, e.Location.Column)),
            e => Assert.Contains("object param name 'obj.dot'", e.Message, StringComparison.Ordinal),
            e => Assert.Contains("key 'bad.key' of object param 'obj.dot'", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ResultNamesAsTektonChecksThem_ReportsTheBadOnes()
    {
        var errors = Errors("""
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: t}
            spec:
              results:
                - name: My_Result.v1
                - name: ../escape
                - name: trailing-
              steps:
                - name: s
                  image: alpine
                  results:
                    - name: "a/b"
            """);

        Assert.Equal([7, 8, 13], errors.Select(e => e.Location.Line));
        Assert.All(errors, e => Assert.Contains("result name '", e.Message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("..")]
    [InlineData("\"a\\tb\"")]
    public void Validate_WorkspaceNameThatIsAPath_Reported(string name)
    {
        SingleError($$"""
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: t}
            spec:
              workspaces:
                - name: {{name}}
              steps: [{image: alpine}]
            """, 6, 7, "workspace name '");
    }

    [Fact]
    public void Validate_StepActionParamAndResultNames_Reported()
    {
        var errors = Errors("""
            apiVersion: tekton.dev/v1beta1
            kind: StepAction
            metadata: {name: act}
            spec:
              image: alpine
              params:
                - name: "9lives"
              results:
                - name: "-r"
            """);

        Assert.Equal([7, 9], errors.Select(e => e.Location.Line));
    }
}
