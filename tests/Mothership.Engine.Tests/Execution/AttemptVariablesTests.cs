using Mothership.Engine.Execution;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Tests.Execution;

public sealed class AttemptVariablesTests
{
    [Fact]
    public void Apply_TektonLayout_FillsEveryExecutorVariable()
    {
        var bag = new DiagnosticBag();
        var spec = ResourceLoader.Load("t.yaml", """
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: t}
            spec:
              results: [{name: out}]
              workspaces: [{name: src}, {name: cache, optional: true}]
              steps:
                - name: one
                  image: i
                  results: [{name: r}]
                  script: |
                    echo $(workspaces.src.path) $(workspaces.src.bound) $(workspaces.src.claim) $(workspaces.src.volume)
                    echo [$(workspaces.cache.path)] $(workspaces.cache.bound) [$(workspaces.cache.volume)]
                    echo $(results.out.path) $(credentials.path) $(steps.step-one.exitCode.path) $(step.results.r.path)
            """, bag).OfType<TektonTask>().Single().Spec;

        var applied = AttemptVariables.Apply(spec, AttemptPaths.Tekton,
            [new AttemptWorkspace("src", "/workspace/src", "pvc-1", "ws-src"), new AttemptWorkspace("cache", null, "", "ws-cache")]);
        var step = AttemptVariables.ApplyStep(applied.Steps[0], "step-one", AttemptPaths.Tekton);

        Assert.Equal(
            "echo /workspace/src true pvc-1 ws-src\necho [] false []\necho /tekton/results/out /tekton/creds /tekton/steps/step-one/exitCode /tekton/steps/step-one/results/r",
            step.Script);
    }
}
