using Mothership.Ci.Jobs;
using Mothership.Model.Diagnostics;

namespace Mothership.Ci.Tests.Jobs;

/// <summary>Several files read as one config, as Prow merges config.yaml with its job config files.</summary>
public sealed class ProwConfigFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("prow-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void LoadFiles_JobsOfOneRepositoryInTwoFiles_Merged()
    {
        var a = Write("a.yaml", "presubmits:\n  org/repo:\n  - name: unit\n    spec: {containers: [{image: alpine}]}\nperiodics:\n- name: nightly\n  interval: 24h\n  spec: {containers: [{image: alpine}]}\n");
        var b = Write("b.yaml", "presubmits:\n  org/repo:\n  - name: lint\n    spec: {containers: [{image: alpine}]}\n  org/other:\n  - name: unit\n    spec: {containers: [{image: alpine}]}\n");
        var bag = new DiagnosticBag();

        var config = ProwConfig.LoadFiles([a, b], bag);

        Assert.Empty(bag.Items);
        Assert.Equal(["unit", "lint"], config!.PresubmitsFor("org/repo").Select(j => j.Name));
        Assert.Equal(["unit"], config.PresubmitsFor("org/other").Select(j => j.Name));
        Assert.Equal(4, config.JobCount);
    }

    [Fact]
    public void LoadFiles_OneNameInTwoFiles_ErrorAtTheSecondNamingTheFirst()
    {
        var a = Write("a.yaml", "presubmits:\n  org/repo:\n  - name: unit\n    spec: {containers: [{image: alpine}]}\n");
        var b = Write("b.yaml", "presubmits:\n  org/repo:\n  - name: unit\n    spec: {containers: [{image: golang}]}\n");
        var bag = new DiagnosticBag();

        Assert.Null(ProwConfig.LoadFiles([a, b], bag));
        Assert.Equal([$"{b}:3:5: error: duplicate presubmit 'unit': also defined at {a}:3:5 for branches that overlap; rename one or give them branches that do not"],
            bag.Sorted().Select(d => d.ToString()));
    }

    [Fact]
    public void Load_OneFile_AsParse()
    {
        var a = Write("config.yaml", "periodics:\n- name: nightly\n  cron: '0 3 * * *'\n  spec: {containers: [{image: alpine}]}\n");

        Assert.Equal("nightly", ProwConfig.Load(a, new DiagnosticBag())!.Periodics.Single().Name);
    }
}
