using Mothership.Testing;

namespace Mothership.IntegrationTests.Conformance;

/// <summary>PipelineRun examples, each with its v1beta1 copy.</summary>
public sealed class TektonPipelineRunExamplesTests
{
    public static TheoryData<string> Examples => TektonExamples.In("pipelineruns");

    [Theory(Timeout = 240_000)]
    [MemberData(nameof(Examples))]
    public Task Run_TektonExampleAndItsV1Beta1Copy_SucceedAlike(string example) => TektonExamples.RunAsync(example, alsoV1Beta1: true);
}

/// <summary>TaskRun examples, each with its v1beta1 copy.</summary>
public sealed class TektonTaskRunExamplesTests
{
    public static TheoryData<string> Examples => TektonExamples.In("taskruns");

    [Theory(Timeout = 240_000)]
    [MemberData(nameof(Examples))]
    public Task Run_TektonExampleAndItsV1Beta1Copy_SucceedAlike(string example) => TektonExamples.RunAsync(example, alsoV1Beta1: true);
}

/// <summary>The target: at least 90% of the in-scope examples are supported.</summary>
public sealed class TektonExamplesCoverageTests
{
    [Fact]
    public void Unsupported_List_StaysUnderTenPercent()
    {
        Fixtures.TektonV1();
        var all = TektonExamples.All().ToList();
        Assert.All(TektonExamples.Unsupported.Keys, k => Assert.Contains(k, all));
        Assert.True(TektonExamples.Unsupported.Count <= all.Count / 10, $"{TektonExamples.Unsupported.Count} of {all.Count} examples unsupported");
    }
}
