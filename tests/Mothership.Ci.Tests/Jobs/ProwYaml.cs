using Mothership.Ci.Jobs;
using Mothership.Model.Diagnostics;

namespace Mothership.Ci.Tests.Jobs;

/// <summary>Loads Prow configs written in the tests, with their diagnostics as <c>FILE:LINE:COL: error: MESSAGE</c> lines.</summary>
internal static class ProwYaml
{
    public const string File = "config.yaml";

    /// <summary>The config, which must load without errors.</summary>
    public static ProwConfig Load(string yaml)
    {
        var bag = new DiagnosticBag();
        var config = ProwConfig.Parse(File, yaml, bag);
        Assert.False(bag.HasErrors, string.Join('\n', bag.Sorted()));
        return config!;
    }

    /// <summary>Every diagnostic, in file order.</summary>
    public static IReadOnlyList<string> Problems(string yaml)
    {
        var bag = new DiagnosticBag();
        ProwConfig.Parse(File, yaml, bag);
        return [.. bag.Sorted().Select(d => d.ToString())];
    }

    /// <summary>The one presubmit of <c>org/repo</c> in a config holding <paramref name="job"/> (its fields, indented under <c>- </c>).</summary>
    public static Presubmit Presubmit(string job) => Load($"""
        presubmits:
          org/repo:
          - {Indent(job, 4)}
        """).PresubmitsFor("org/repo").Single();

    public static Postsubmit Postsubmit(string job) => Load($"""
        postsubmits:
          org/repo:
          - {Indent(job, 4)}
        """).PostsubmitsFor("org/repo").Single();

    public static Periodic Periodic(string job) => Load($"""
        periodics:
        - {Indent(job, 2)}
        """).Periodics.Single();

    /// <summary>A container spec for jobs whose spec does not matter to a test.</summary>
    public const string Spec = """
        spec:
          containers:
          - image: golang:1.22
            command: [make, test]
        """;

    private static string Indent(string job, int by) => job.Trim().ReplaceLineEndings("\n" + new string(' ', by));
}
