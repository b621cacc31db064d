using System.Text.RegularExpressions;
using CsCheck;
using Mothership.Model.Validation;

namespace Mothership.Model.Tests.Validation;

/// <summary>The name rules against Kubernetes' own regular expressions, on generated names that stay near the edges.</summary>
public class KubernetesNamesPropertyTests
{
    private static readonly Regex Label = new(@"\A[a-z0-9]([-a-z0-9]*[a-z0-9])?\z", RegexOptions.CultureInvariant);
    private static readonly Regex Subdomain = new(@"\A[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\z", RegexOptions.CultureInvariant);

    /// <summary>Mostly the characters that matter ('-', '.', letters of both cases), sometimes anything.</summary>
    private static readonly Gen<string> Names = Gen.Frequency(
        (6, Gen.String[Gen.Char["ab-.Z9"], 0, 12]),
        (2, Gen.String[Gen.Char["a-"], 60, 70]),
        (1, Gen.String[Gen.Char["a.-"], 240, 260]),
        (2, Gen.String));

    [Fact]
    public void IsDns1123Label_AnyText_AgreesWithKubernetesRegex() =>
        PropertyRun.Check(Names, name => Assert.Equal(name.Length <= 63 && Label.IsMatch(name), KubernetesNames.IsDns1123Label(name)), normalIterations: 2000, seed: 11);

    [Fact]
    public void IsDns1123Subdomain_AnyText_AgreesWithKubernetesRegex() =>
        PropertyRun.Check(Names, name => Assert.Equal(name.Length <= 253 && Subdomain.IsMatch(name), KubernetesNames.IsDns1123Subdomain(name)), normalIterations: 2000, seed: 12);

    [Fact]
    public void NameProblem_AnyKindAndText_NeverThrowsAndQuotesSafely() =>
        PropertyRun.Check(Gen.Select(Gen.OneOf("Task", "PipelineRun", "ConfigMap", "Namespace", "Role"), Names), input =>
        {
            var (kind, name) = input;
            foreach (var problem in new[] { KubernetesNames.NameProblem(kind, name), KubernetesNames.GenerateNameProblem(kind, name) })
            {
                Assert.False(problem?.Any(KubernetesNames.NeedsEscape) ?? false, problem);
            }
        }, normalIterations: 2000, seed: 13);

    [Fact]
    public void GenerateNameProblem_ValidPrefix_MakesValidNames() =>
        PropertyRun.Check(Names, prefix =>
        {
            if (KubernetesNames.GenerateNameProblem("PipelineRun", prefix) is null)
            {
                var generated = (prefix.Length > 58 ? prefix[..58] : prefix) + "x2b4z";
                Assert.Null(KubernetesNames.NameProblem("PipelineRun", generated));
            }
        }, normalIterations: 2000, seed: 14);
}
