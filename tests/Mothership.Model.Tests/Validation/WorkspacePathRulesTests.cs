using Mothership.Model.Validation;
using static Mothership.Model.Tests.Validation.ValidationHarness;

namespace Mothership.Model.Tests.Validation;

/// <summary>Workspace subPaths and claim names that would leave their volume (issue 13, finding 4).</summary>
public class WorkspacePathRulesTests
{
    [Theory]
    [InlineData("../../../../etc", "must not contain '..'")]
    [InlineData("a/../../b", "must not contain '..'")]
    [InlineData("/etc", "must be relative")]
    [InlineData("a\nb", "control characters")]
    public void SubPathProblem_Climbing_Absolute_OrControl_Explained(string subPath, string expected)
    {
        Assert.Contains(expected, WorkspacePathRules.SubPathProblem(subPath), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("cache")]
    [InlineData("a/b/c")]
    [InlineData("..hidden/x")]
    public void SubPathProblem_InsideItsVolume_None(string? subPath)
    {
        Assert.Null(WorkspacePathRules.SubPathProblem(subPath));
    }

    [Theory]
    [InlineData("../../../../tmp/x")]
    [InlineData("a/b")]
    [InlineData("Data")]
    [InlineData("")]
    public void ClaimNameProblem_NotADns1123Subdomain_Explained(string claim)
    {
        Assert.Contains("is not a valid claim name", WorkspacePathRules.ClaimNameProblem(claim), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TaskRunClaimNameClimbingOut_ErrorAtTheClaim()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata: {name: r}
            spec:
              taskSpec:
                workspaces: [{name: w}]
                steps: [{image: alpine, script: 'true'}]
              workspaces:
                - name: w
                  persistentVolumeClaim:
                    claimName: ../../../../tmp/x
            """, 9, 7, "claimName '../../../../tmp/x' is not a valid claim name");
    }

    [Fact]
    public void Validate_PipelineRunSubPathClimbingOut_ErrorAtTheSubPath()
    {
        SingleError("""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata: {name: r}
            spec:
              pipelineSpec:
                workspaces: [{name: w}]
                tasks:
                  - name: t
                    workspaces: [{name: w, workspace: w}]
                    taskSpec:
                      workspaces: [{name: w}]
                      steps: [{image: alpine, script: 'true'}]
              workspaces:
                - name: w
                  emptyDir: {}
                  subPath: ../../../../etc
            """, 16, 7, "must not contain '..'");
    }

    [Fact]
    public void Validate_PipelineTaskAndVolumeMountSubPaths_BothReported()
    {
        var errors = Errors("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              workspaces: [{name: w}]
              tasks:
                - name: t
                  workspaces: [{name: w, workspace: w, subPath: ../up}]
                  taskSpec:
                    workspaces: [{name: w}]
                    volumes: [{name: v, emptyDir: {}}]
                    steps:
                      - image: alpine
                        script: 'true'
                        volumeMounts: [{name: v, mountPath: /v, subPath: /abs}]
            """);

        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.Location.Line == 8 && e.Message.Contains("'..'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Location.Line == 15 && e.Message.Contains("must be relative", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_SubPathFromAParam_LeftToTheExecutorOnceSubstituted()
    {
        NoErrors("""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata: {name: r}
            spec:
              params: [{name: dir, value: ../../etc}]
              taskSpec:
                params: [{name: dir}]
                workspaces: [{name: w}]
                steps: [{image: alpine, script: 'true'}]
              workspaces:
                - {name: w, emptyDir: {}, subPath: $(params.dir)}
            """);
    }
}
