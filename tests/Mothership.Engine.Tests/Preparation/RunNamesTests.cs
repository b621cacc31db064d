using Mothership.Engine.Preparation;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Tests.Preparation;

public sealed class RunNamesTests
{
    [Fact]
    public void Generate_Prefix_FiveCharactersOfKubernetesAlphabet() =>
        Assert.Matches("^build-run-[bcdfghjklmnpqrstvwxz2456789]{5}$", RunNames.Generate("build-run-"));

    [Fact]
    public void Generate_LongPrefix_CutToStayWithin63() =>
        Assert.Equal(63, RunNames.Generate(new string('a', 80)).Length);

    [Fact]
    public void Named_WithoutNameOrGenerateName_UsesTheKind()
    {
        var run = new TaskRun { ApiVersion = "tekton.dev/v1", Kind = "TaskRun", Metadata = new ObjectMeta(), Spec = new TaskRunSpec() };

        Assert.StartsWith("taskrun-", RunNames.Named(run).Metadata.Name, StringComparison.Ordinal);
    }

    [Fact]
    public void Named_WithAName_KeepsIt()
    {
        var run = new TaskRun { ApiVersion = "tekton.dev/v1", Kind = "TaskRun", Metadata = new ObjectMeta { Name = "mine", GenerateName = "x-" }, Spec = new TaskRunSpec() };

        Assert.Same(run, RunNames.Named(run));
    }
}
