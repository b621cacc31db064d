using Mothership.Testing;

namespace Mothership.IntegrationTests.Conformance;

/// <summary>PipelineRun examples.</summary>
public sealed class TektonPipelineRunExamplesTests
{
    public static TheoryData<string> Examples => TektonExamples.In("pipelineruns");

    [Theory(Timeout = 240_000)]
    [MemberData(nameof(Examples))]
    public Task Run_TektonExample_Succeeds(string example) => TektonExamples.RunAsync(example);
}

/// <summary>TaskRun examples.</summary>
public sealed class TektonTaskRunExamplesTests
{
    public static TheoryData<string> Examples => TektonExamples.In("taskruns");

    [Theory(Timeout = 240_000)]
    [MemberData(nameof(Examples))]
    public Task Run_TektonExample_Succeeds(string example) => TektonExamples.RunAsync(example);
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
