namespace Mothership.IntegrationTests.Conformance;

/// <summary>
/// Tekton's conformance suite, TaskRun behaviours
/// (<see href="https://github.com/tektoncd/pipeline/blob/3ee1745ae5b2d9175b11917d7c1935eaad44910c/test/conformance/conformance_test.go">conformance_test.go</see>
/// at tektoncd/pipeline 3ee1745ae5b2d9175b11917d7c1935eaad44910c), on the local executor: the
/// embedded default of <c>mship run</c>. The cases are in <see cref="TektonConformanceTaskRunCases"/>.
/// </summary>
public sealed class TektonConformanceTaskRunTests : TektonConformanceTaskRunCases
{
    /// <inheritdoc />
    protected override string[] ExecutorArgs => [];
}
