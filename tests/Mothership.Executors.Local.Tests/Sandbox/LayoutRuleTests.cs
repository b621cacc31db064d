using Mothership.Executors.Local.Sandbox;
using Mothership.Executors.Local.Workspaces;
using static Mothership.Executors.Local.Tests.TaskRequests;

namespace Mothership.Executors.Local.Tests.Sandbox;

public sealed class LayoutRuleTests
{
    [Fact]
    public void NeedsTektonLayout_PlainScriptAndVariablePaths_RunsOnTheHost()
    {
        var spec = Spec("""
              workspaces: [{name: src}]
              results: [{name: out}]
              steps:
                - name: build
                  script: |
                    cd $(workspaces.src.path) && make > $(results.out.path)
                  workingDir: $(workspaces.src.path)
            """);

        Assert.False(LayoutRule.NeedsTektonLayout(spec));
    }

    [Theory]
    [InlineData("script: cat /workspace/source/README")]
    [InlineData("script: echo hi > /tekton/results/out")]
    [InlineData("command: [ls, /workspace]")]
    [InlineData("args: [/tekton/home]")]
    [InlineData("env: [{name: DIR, value: /workspace/cache}]")]
    [InlineData("stdoutConfig: {path: /workspace/log.txt}\n      script: echo")]
    [InlineData("volumeMounts: [{name: v, mountPath: /data}]\n      script: echo")]
    [InlineData("workspaces: [{name: w}]\n      script: echo")]
    [InlineData("workingDir: /no/such/directory/on/this/host\n      script: echo")]
    public void NeedsTektonLayout_StepNamesTektonPathsOrMounts_UsesTheLayout(string stepFields)
    {
        var spec = Spec($$"""
              workspaces: [{name: w}]
              volumes: [{name: v, emptyDir: {} }]
              steps:
                - name: s
                  {{stepFields}}
            """);

        Assert.True(LayoutRule.NeedsTektonLayout(spec));
    }

    [Fact]
    public void NeedsTektonLayout_WorkingDirThatExistsOrIsAVariable_RunsOnTheHost()
    {
        var existing = Spec($$"""
              steps:
                - {name: s, workingDir: {{Path.GetTempPath().TrimEnd('/')}}, script: pwd}
            """);
        var variable = Spec("""
              workspaces: [{name: w}]
              steps:
                - {name: s, workingDir: "$(workspaces.w.path)/sub", script: pwd}
            """);

        Assert.False(LayoutRule.NeedsTektonLayout(existing));
        Assert.False(LayoutRule.NeedsTektonLayout(variable));
    }

    [Theory]
    [InlineData("workspaces: [{name: w, mountPath: /src}]")]
    [InlineData("workspaces: [{name: w, readOnly: true}]")]
    public void NeedsTektonLayout_WorkspaceWithMountPathOrReadOnly_UsesTheLayout(string workspaces)
    {
        var spec = Spec($$"""
              {{workspaces}}
              steps:
                - {name: s, script: ls}
            """);

        Assert.True(LayoutRule.NeedsTektonLayout(spec));
    }

    [Fact]
    public void NeedsTektonLayout_SidecarOrStepTemplateNamesTektonPath_UsesTheLayout()
    {
        var sidecar = Spec("""
              sidecars:
                - {name: side, script: "touch /tekton/home/ready"}
              steps:
                - {name: s, script: echo}
            """);
        var template = Spec("""
              stepTemplate:
                env: [{name: OUT, value: /workspace/out}]
              steps:
                - {name: s, script: echo}
            """);

        Assert.True(LayoutRule.NeedsTektonLayout(sidecar));
        Assert.True(LayoutRule.NeedsTektonLayout(template));
    }

    [Fact]
    public void NeededParts_WithTheLayout_AllParts()
    {
        var spec = Spec("""
              steps:
                - {name: s, command: ["true"]}
            """);

        Assert.Equal(AttemptParts.All, LayoutRule.NeededParts(spec, layout: true));
    }

    [Fact]
    public void NeededParts_CommandOnlyTask_NoOptionalPart()
    {
        var spec = Spec("""
              steps:
                - {name: s, command: [echo, hi]}
            """);

        Assert.Equal(AttemptParts.None, LayoutRule.NeededParts(spec, layout: false));
    }

    [Theory]
    [InlineData("results: [{name: r}]\n  steps:\n    - {name: s, command: [\"true\"]}", (int)AttemptParts.Results)]
    [InlineData("steps:\n    - {name: s, script: echo}", (int)AttemptParts.Scripts)]
    [InlineData("steps:\n    - {name: s, command: [\"true\"], results: [{name: r}]}", (int)AttemptParts.Steps)]
    [InlineData("steps:\n    - {name: s, command: [cat, \"$(steps.s.exitCode.path)\"]}", (int)AttemptParts.Steps)]
    [InlineData("results: [{name: r, value: \"$(steps.s.results.x)\"}]\n  steps:\n    - {name: s, command: [\"true\"]}", (int)(AttemptParts.Results | AttemptParts.Steps))]
    [InlineData("steps:\n    - {name: s, command: [ls, \"$(credentials.path)\"]}", (int)AttemptParts.Creds)]
    [InlineData("sidecars:\n    - {name: side, script: sleep 1}\n  steps:\n    - {name: s, command: [\"true\"]}", (int)AttemptParts.Scripts)]
    public void NeededParts_WithoutTheLayout_OnlyWhatTheTaskUses(string specBody, int expected)
    {
        var spec = Spec("  " + specBody + "\n");

        Assert.Equal((AttemptParts)expected, LayoutRule.NeededParts(spec, layout: false));
    }
}
