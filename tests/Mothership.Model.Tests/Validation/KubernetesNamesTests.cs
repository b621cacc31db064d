using Mothership.Model.Validation;

namespace Mothership.Model.Tests.Validation;

/// <summary>Kubernetes' and Tekton's name rules, the cases of <c>k8s.io/apimachinery/pkg/util/validation</c>'s tests and the issue's repros.</summary>
public class KubernetesNamesTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("ab-c")]
    [InlineData("1-2")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890ab")]
    public void IsDns1123Label_ValidLabel_True(string name) => Assert.True(KubernetesNames.IsDns1123Label(name));

    [Theory]
    [InlineData("")]
    [InlineData("A")]
    [InlineData("-a")]
    [InlineData("a-")]
    [InlineData("a.b")]
    [InlineData("a_b")]
    [InlineData("a\n")]
    [InlineData("ünï")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890abc")]
    public void IsDns1123Label_InvalidLabel_False(string name) => Assert.False(KubernetesNames.IsDns1123Label(name));

    [Theory]
    [InlineData("a.b.c", true)]
    [InlineData("a-1.b-2", true)]
    [InlineData("a..b", false)]
    [InlineData(".a", false)]
    [InlineData("a.", false)]
    [InlineData("a.-b", false)]
    [InlineData("../../etc", false)]
    [InlineData("a/b", false)]
    public void IsDns1123Subdomain_Name_MatchesKubernetes(string name, bool valid) => Assert.Equal(valid, KubernetesNames.IsDns1123Subdomain(name));

    [Fact]
    public void IsDns1123Subdomain_253And254Characters_OnlyTheFirstValid()
    {
        var name = string.Join('.', Enumerable.Repeat(new string('a', 62), 4)) + "a"; // 4 × 62 + 3 dots + 1 = 252
        Assert.True(KubernetesNames.IsDns1123Subdomain(name + "b"));
        Assert.False(KubernetesNames.IsDns1123Subdomain(name + "bc"));
    }

    [Theory]
    [InlineData("Task", "demo.pipeline", null)]
    [InlineData("Task", "", "Task name '' is invalid")]
    [InlineData("PipelineRun", "Upper", "PipelineRun name 'Upper' is invalid")]
    [InlineData("Pipeline", "../../etc", "is invalid")]
    [InlineData("TaskRun", "a/b", "is invalid")]
    [InlineData("ConfigMap", "a.b", null)]
    [InlineData("Namespace", "a.b", "Namespace name 'a.b' is invalid")]
    [InlineData("Role", "system:controller:x", null)]
    [InlineData("Role", "..", "is invalid")]
    public void NameProblem_Name_ByKind(string kind, string name, string? problem)
    {
        var found = KubernetesNames.NameProblem(kind, name);

        if (problem is null)
        {
            Assert.Null(found);
        }
        else
        {
            Assert.NotNull(found);
            Assert.Contains(problem, found, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void NameProblem_TektonKindOver63Characters_InvalidButConfigMapValid()
    {
        var name = new string('a', 64);

        Assert.NotNull(KubernetesNames.NameProblem("Task", name));
        Assert.Null(KubernetesNames.NameProblem("ConfigMap", name));
    }

    [Theory]
    [InlineData("build-", true)]
    [InlineData("a", true)]
    [InlineData("a.b-", true)]
    [InlineData("-", false)]
    [InlineData("", false)]
    [InlineData("Build-", false)]
    [InlineData("a.", false)]
    [InlineData("a/", false)]
    public void GenerateNameProblem_Prefix_AsKubernetesMasksIt(string prefix, bool valid) =>
        Assert.Equal(valid, KubernetesNames.GenerateNameProblem("PipelineRun", prefix) is null);

    [Fact]
    public void GenerateNameProblem_LongPrefix_CutTo58AsTheServerDoes()
    {
        Assert.Null(KubernetesNames.GenerateNameProblem("PipelineRun", new string('a', 200) + "-"));
        Assert.NotNull(KubernetesNames.GenerateNameProblem("PipelineRun", new string('a', 254)));
    }

    [Fact]
    public void Quote_ControlAndBidiCharacters_Escaped()
    {
        Assert.Equal(@"'a\nb\x1b[31m\u202ec'", KubernetesNames.Quote("a\nb\u001b[31m\u202ec"));
    }

    [Fact]
    public void Quote_LongText_ShortenedWithItsLength()
    {
        var quoted = KubernetesNames.Quote(new string('x', 300));

        Assert.Equal($"'{new string('x', 80)}' (300 characters)", quoted);
    }
}
