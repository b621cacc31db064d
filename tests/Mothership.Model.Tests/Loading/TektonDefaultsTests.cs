using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;
using Mothership.Model.Validation;

namespace Mothership.Model.Tests.Loading;

public sealed class TektonDefaultsTests
{
    private static (ResourceSet Resources, DiagnosticBag Bag) Validate(string template)
    {
        var bag = new DiagnosticBag();
        var yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: config-defaults}\ndata:\n  default-pod-template: |\n"
            + string.Join("", template.Split('\n').Select(l => "    " + l + "\n"));
        var resources = new ResourceSet { All = [.. ResourceLoader.Load("defaults.yaml", yaml, bag)] };
        ResourceValidator.Validate(resources, bag);
        return (resources, bag);
    }

    [Fact]
    public void PodTemplate_EnvVolumesAndPodFields_Read()
    {
        var (resources, bag) = Validate("env: [{name: A, value: b}]\nvolumes: [{name: cache, emptyDir: {}}]\nnodeSelector: {disk: ssd}");

        Assert.False(bag.HasErrors, string.Join('\n', bag.Items));
        var template = TektonDefaults.PodTemplate(resources)!;
        Assert.Equal("A", Assert.Single(template.Env).Name);
        Assert.Equal("cache", Assert.Single(template.Volumes).Name);
        Assert.True(template.PodFields.ContainsKey("nodeSelector"));
    }

    [Fact]
    public void Validate_UnknownFieldInTheTemplate_NamedWithItsLineInTheValue()
    {
        var (resources, bag) = Validate("env: [{name: A, value: b}]\nnodeSelektor: {disk: ssd}");

        var error = Assert.Single(bag.Items);
        Assert.Equal("defaults.yaml (ConfigMap config-defaults, default-pod-template)", error.Location.File);
        Assert.Equal(2, error.Location.Line);
        Assert.Contains("nodeSelektor", error.Message, StringComparison.Ordinal);
        Assert.Null(TektonDefaults.PodTemplate(resources));
    }

    [Fact]
    public void Validate_TemplateThatIsAList_AnError()
    {
        var (_, bag) = Validate("- env");

        Assert.Contains("must hold one YAML mapping", Assert.Single(bag.Items).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PodTemplate_NoConfigDefaults_Null() =>
        Assert.Null(TektonDefaults.PodTemplate(new ResourceSet()));
}
