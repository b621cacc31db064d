using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Resolution;
using Mothership.Model.Tekton;

namespace Mothership.Model.Tests.Resolution;

public sealed class ResolverParamsTests
{
    private static List<Diagnostic> Check(string resolver, string parameters)
    {
        var bag = new DiagnosticBag();
        var run = ResourceLoader.Load("r.yaml", $"""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata: {"{"}name: r{"}"}
            spec:
              taskRef:
                resolver: {resolver}
                params:
            {parameters}
            """, bag).OfType<TaskRun>().Single();
        Assert.False(bag.HasErrors, string.Join("\n", bag.Items));
        ResolverParams.Check(run.Spec.TaskRef!, "TaskRun 'r'", bag);
        return [.. bag.Items];
    }

    private static string Params(params (string Name, string Value)[] values) =>
        string.Join("\n", values.Select(v => $"      - {{name: {v.Name}, value: \"{v.Value}\"}}"));

    [Fact]
    public void Check_GitUrlMode_IsClean() =>
        Assert.Empty(Check("git", Params(("url", "https://x/y.git"), ("revision", "main"), ("pathInRepo", "a.yaml"))));

    [Fact]
    public void Check_GitApiMode_IsClean() =>
        Assert.Empty(Check("git", Params(("org", "o"), ("repo", "r"), ("pathInRepo", "a.yaml"), ("token", "s"), ("scmType", "github"))));

    [Fact]
    public void Check_GitWithoutUrlOrRepo_NamesUrl()
    {
        var d = Assert.Single(Check("git", Params(("pathInRepo", "a.yaml"))));
        Assert.Contains("needs param 'url'", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_GitApiModeWithoutRepo_NamesRepo()
    {
        var d = Assert.Single(Check("git", Params(("org", "o"), ("pathInRepo", "a.yaml"))));
        Assert.Contains("needs param 'repo'", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_UnknownParam_NamedAtItsLine()
    {
        var d = Assert.Single(Check("http", Params(("url", "https://x"), ("pasword", "p"))));
        Assert.Contains("unknown http resolver param 'pasword'", d.Message, StringComparison.Ordinal);
        Assert.Equal(9, d.Location.Line);
    }

    [Fact]
    public void Check_UnknownResolver_ListsTheKnownOnes()
    {
        var d = Assert.Single(Check("svn", Params(("url", "x"))));
        Assert.Contains("unknown resolver 'svn': use one of bundles, cluster, git, http, hub", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_HubMissingVersionAndRepeatedName_ReportsBoth()
    {
        var problems = Check("hub", Params(("name", "a"), ("name", "b")));
        Assert.Contains(problems, d => d.Message.Contains("'name' is given twice", StringComparison.Ordinal));
        Assert.Contains(problems, d => d.Message.Contains("needs param 'version'", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_ClusterAndBundles_RequireTheirParams()
    {
        Assert.Contains("needs params 'kind', 'name'", Assert.Single(Check("cluster", Params(("namespace", "n")))).Message, StringComparison.Ordinal);
        Assert.Contains("needs param 'name'", Assert.Single(Check("bundles", Params(("bundle", "r/x:1"), ("kind", "task")))).Message, StringComparison.Ordinal);
        // kind defaults to task, as Tekton's shipped bundleresolver-config has it.
        Assert.Empty(Check("bundles", Params(("bundle", "r/x:1"), ("name", "t"))));
    }
}
