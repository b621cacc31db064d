using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;

namespace Mothership.Model.Tests.Loading;

public sealed class TektonConverterTests
{
    private const string Beta = """
        # the nightly build
        apiVersion: tekton.dev/v1beta1
        kind: PipelineRun
        metadata:
          name: nightly
        spec:
          serviceAccountName: builder # needs push rights
          timeout: 2h
          pipelineRef:
            name: build
          params:
            # which branch
            - name: branch
              value: "main"
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings}
        data: {mode: fast}
        """;

    [Fact]
    public void ToV1_V1Beta1Run_WritesV1WithCommentsKept()
    {
        var bag = new DiagnosticBag();
        var v1 = TektonConverter.ToV1("f.yaml", Beta, bag);
        Assert.False(bag.HasErrors, string.Join('\n', bag.Items));
        Assert.NotNull(v1);
        Assert.Contains("apiVersion: tekton.dev/v1\n", v1, StringComparison.Ordinal);
        Assert.DoesNotContain("v1beta1", v1, StringComparison.Ordinal);
        Assert.Contains("taskRunTemplate:\n    serviceAccountName: builder # needs push rights\n", v1, StringComparison.Ordinal);
        Assert.Contains("timeouts:\n    pipeline: 2h\n", v1, StringComparison.Ordinal);
        Assert.Contains("# the nightly build\n", v1, StringComparison.Ordinal);
        Assert.Contains("# which branch\n", v1, StringComparison.Ordinal);
        Assert.Contains("value: \"main\"", v1, StringComparison.Ordinal);
        Assert.Contains("kind: ConfigMap", v1, StringComparison.Ordinal);
    }

    [Fact]
    public void ToV1_ItsOwnOutput_IsUnchanged()
    {
        var bag = new DiagnosticBag();
        var once = TektonConverter.ToV1("f.yaml", Beta, bag)!;
        var twice = TektonConverter.ToV1("f.yaml", once, bag);
        Assert.Equal(once, twice);
    }

    [Fact]
    public void ToV1_PipelineResources_NoTextAndTheErrorAtItsLine()
    {
        var bag = new DiagnosticBag();
        var v1 = TektonConverter.ToV1("f.yaml", """
            apiVersion: tekton.dev/v1beta1
            kind: TaskRun
            metadata: {name: r}
            spec:
              taskRef: {name: t}
              resources:
                inputs: [{name: src, resourceRef: {name: repo}}]
            """, bag);
        Assert.Null(v1);
        Assert.Equal(6, Assert.Single(bag.Items).Location.Line);
    }

    [Fact]
    public void ToV1_MalformedYaml_NoTextAndADiagnostic()
    {
        var bag = new DiagnosticBag();
        Assert.Null(TektonConverter.ToV1("f.yaml", "a: [b", bag));
        Assert.True(bag.HasErrors);
    }

    public static TheoryData<string> Examples() => TektonExamples.In("");

    /// <summary>Each upstream example's v1beta1 copy converts to text that reads as the v1 original.</summary>
    [Theory]
    [MemberData(nameof(Examples))]
    public void ToV1_V1Beta1CopyOfUpstreamExample_ReadsAsTheOriginal(string example)
    {
        var text = File.ReadAllText(TektonExamples.PathOf(example));
        var bag = new DiagnosticBag();
        var v1 = TektonConverter.ToV1("copy.yaml", TektonV1Beta1.Copy(text), bag);
        Assert.False(bag.HasErrors, string.Join('\n', bag.Items));
        Assert.Equal(
            YamlTree.Parse(text).Select(V1Beta1ConversionTests.Plain),
            YamlTree.Parse(v1!).Select(V1Beta1ConversionTests.Plain));
    }

    /// <summary>Every published Catalog file (v1beta1 mostly) converts to text that reads as what the loader reads it as.</summary>
    [Fact]
    public void ToV1_CatalogFiles_ReadAsTheLoaderReadsThem()
    {
        var files = Directory.EnumerateFiles(Fixtures.TektonCatalog(), "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            var bag = new DiagnosticBag();
            var v1 = TektonConverter.ToV1(file, text, bag);
            Assert.False(bag.HasErrors, string.Join('\n', bag.Items));
            var read = YamlTree.Parse(text).Select(d => d is TreeMapping m ? ResourceLoader.V1(m, file, new DiagnosticBag()) : d);
            Assert.Equal(read.Select(V1Beta1ConversionTests.Plain), YamlTree.Parse(v1!).Select(V1Beta1ConversionTests.Plain));
            Assert.Equal(text.Split('#').Length, v1!.Split('#').Length);
        }
    }
}
