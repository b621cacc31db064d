using static Mothership.Testing.TektonConformance;

namespace Mothership.IntegrationTests.Conformance;

/// <summary>
/// Behaviours of Tekton's conformance suite
/// (<see href="https://github.com/tektoncd/pipeline/blob/3ee1745ae5b2d9175b11917d7c1935eaad44910c/test/conformance/conformance_test.go">conformance_test.go</see>
/// at tektoncd/pipeline 3ee1745ae5b2d9175b11917d7c1935eaad44910c) that <c>mship run</c> does not
/// meet yet. Each test asserts Tekton's behaviour and is skipped with the precise deviation, so
/// the suite stays green while the gap stays visible; remove the skip with the fix.
/// </summary>
public sealed class TektonConformanceKnownDeviations
{
    /// <summary>
    /// TestStepStateImageID: a step's state carries Tekton's <c>imageID</c>, ending with the image
    /// as written (here pinned by digest).
    /// </summary>
    [Fact(Timeout = 120_000, Skip = "deviation: status.steps[*] has no imageID (Tekton's StepState field); the engine writes the step's image under a non-Tekton key \"image\" (RunObjectWriter.Step), and the contract suite's golden files record that shape")]
    public async Task StepStateImageID_ImagePinnedByDigest_ImageIdEndsWithIt()
    {
        const string image = "busybox@sha256:1303dbf110c57f3edf68d9f5a16c082ec06c4cf7604831669faf2c712260b5a0";
        var run = await RunAsync($$"""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata:
              name: step-state-image-id
            spec:
              taskSpec:
                steps:
                - image: {{image}}
                  args: ['-c', 'echo hello']
            """);

        AssertSucceededCondition(run, "True", "Succeeded");
        var step = Assert.Single(Array(run["status"]!["steps"]));
        Assert.EndsWith(image, Text(step!["imageID"]) ?? "", StringComparison.Ordinal);
    }

    /// <summary>
    /// TestSidecarArgAndCommand: a sidecar's command and args write a shared volume that a step's
    /// command and args read; the TaskRun succeeds (it does as pods: TektonConformanceOnKubernetesTests).
    /// </summary>
    [Fact(Timeout = 120_000, Skip = "deviation (flaky: 3 of 55 runs failed here): the local executor starts the step as soon as it has spawned the sidecar's process (a sidecar without a readinessProbe is ready at once), so `cat /shared/message` can run before the sidecar's `bash -c \"echo ... > /shared/message\"` has written it: TaskRun Failed, \"step-check-ready\" exited with code 1 (cat: No such file or directory); on Tekton the step's entrypoint first waits for the pod's ready annotation, by which time the sidecar has run")]
    public async Task SidecarArgAndCommand_CommandAndArgs_TaskRunSucceeds()
    {
        var run = await RunAsync(TektonConformanceTaskRunCases.SidecarArgAndCommandYaml);

        Assert.Single(Array(run["spec"]!["taskSpec"]!["sidecars"]));
        AssertSucceededCondition(run, "True", "Succeeded");
    }

    /// <summary>
    /// TestPipelineWorkspace: three tasks share a volumeClaimTemplate workspace; the first writes
    /// its own <c>$(workspaces.NAME.path)</c>, which Tekton mounts at <c>/workspace/NAME</c>, and
    /// the last checks that path.
    /// </summary>
    [Fact(Timeout = 120_000, Skip = "deviation: $(workspaces.custom-workspace-write-task.path) is the host directory (RUN/claims/custom-workspace) instead of /workspace/custom-workspace-write-task when a step's script does not itself name a /workspace/ path, so check-task reads the host path and exits 1 (PipelineRun Failed, Tekton: Succeeded); the TaskRun case passes only because its script names /workspace/custom-workspace")]
    public async Task PipelineWorkspace_SharedVolumeClaimTemplate_PathIsWorkspaceSlashName()
    {
        var run = await RunAsync(TektonConformancePipelineRunCases.PipelineWorkspaceYaml);

        AssertSucceededCondition(run, "True", "Succeeded");
        Assert.Equal("custom-workspace", Text(run["spec"]!["workspaces"]![0]!["name"]));
        Assert.Equal("custom-workspace", Text(run["status"]!["pipelineSpec"]!["workspaces"]![0]!["name"]));
    }
}
