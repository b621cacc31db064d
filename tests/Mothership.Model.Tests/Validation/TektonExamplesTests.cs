using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Validation;

namespace Mothership.Model.Tests.Validation;

/// <summary>Upstream Tekton examples are valid: any error here, from the loader or the validator, is a false positive.</summary>
public class TektonExamplesTests
{
    public static TheoryData<string> Examples() => TektonExamples.In("");

    [Theory]
    [MemberData(nameof(Examples))]
    public void Validate_UpstreamExample_ReportsNoErrors(string example)
    {
        var path = TektonExamples.PathOf(example);
        var loading = new DiagnosticBag();
        var validation = new DiagnosticBag();

        var resources = ResourceLoader.LoadFiles([path], loading);
        ResourceValidator.Validate(resources, validation);

        Assert.True(!loading.HasErrors, string.Join(Environment.NewLine, loading.Sorted()));
        Assert.True(!validation.HasErrors, string.Join(Environment.NewLine, validation.Sorted()));
    }
}
