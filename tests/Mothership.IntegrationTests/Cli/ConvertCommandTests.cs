using System.Text.Json.Nodes;

namespace Mothership.IntegrationTests.Cli;

/// <summary><c>mship convert</c>, and v1beta1 files run as they are, through the CLI a user calls.</summary>
public sealed class ConvertCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mship-convert-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Task<MshipResult> Mship(params string[] args) => MshipProcess.RunAsync(args, _dir, TimeSpan.FromSeconds(120), cancellationToken: Ct);

    [Fact(Timeout = 120_000)]
    public async Task Convert_CatalogTaskInPlace_WritesV1ThatValidates()
    {
        var task = Path.Combine(_dir, "git-cli.yaml");
        File.Copy(Path.Combine(Fixtures.TektonCatalog(), "git-cli", "0.4", "git-cli.yaml"), task);

        var printed = await Mship("convert", "-f", task);
        Assert.True(printed.ExitCode == 0, printed.Stderr);
        Assert.Contains("apiVersion: tekton.dev/v1\n", printed.Stdout, StringComparison.Ordinal);
        Assert.Contains("tekton.dev/v1beta1", await File.ReadAllTextAsync(task, Ct), StringComparison.Ordinal);

        var converted = await Mship("convert", "-f", _dir, "--in-place");
        Assert.True(converted.ExitCode == 0, converted.Stderr);
        var text = await File.ReadAllTextAsync(task, Ct);
        Assert.DoesNotContain("v1beta1", text, StringComparison.Ordinal);
        Assert.Contains("# TODO: Deprecate use of root image.", text, StringComparison.Ordinal);
        var valid = await Mship("validate", "-f", task);
        Assert.True(valid.ExitCode == 0, valid.Stderr);
    }

    [Fact(Timeout = 120_000)]
    public async Task Convert_DirectoryRecursive_ConvertsNestedFilesOnlyWithR()
    {
        var nested = Directory.CreateDirectory(Path.Combine(_dir, "task", "write-file", "0.1")).FullName;
        var task = Path.Combine(nested, "write-file.yaml");
        File.Copy(Path.Combine(Fixtures.TektonCatalog(), "write-file", "0.1", "write-file.yaml"), task);

        // As kubectl: a directory's own files only, unless -R.
        var flat = await Mship("convert", "-f", _dir, "-i");
        var deep = await Mship("convert", "-f", _dir, "-R", "-i");

        Assert.DoesNotContain("write-file.yaml", flat.Stderr, StringComparison.Ordinal);
        Assert.True(deep.ExitCode == 0, deep.Stderr);
        Assert.Contains($"{task}: converted to tekton.dev/v1", deep.Stderr, StringComparison.Ordinal);
        Assert.Contains("apiVersion: tekton.dev/v1\n", await File.ReadAllTextAsync(task, Ct), StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Convert_PipelineResources_Exit2AndTheFileUntouched()
    {
        var file = Path.Combine(_dir, "old.yaml");
        const string Old = """
            apiVersion: tekton.dev/v1beta1
            kind: Task
            metadata: {name: old}
            spec:
              resources:
                inputs: [{name: src, type: git}]
              steps: [{name: s, image: bash, script: echo hi}]
            """;
        await File.WriteAllTextAsync(file, Old, Ct);

        var r = await Mship("convert", "-f", file, "-i");

        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith($"{file}:5:3: error: 'spec.resources': PipelineResources were removed", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(Old, await File.ReadAllTextAsync(file, Ct));
    }

    [Fact(Timeout = 120_000)]
    public async Task Run_V1Beta1Copy_RunsAndPrintsV1()
    {
        var file = Path.Combine(_dir, "hello-beta.yaml");
        var example = await File.ReadAllTextAsync(Path.Combine(Fixtures.RepositoryRoot(), "examples", "hello-pipeline.yaml"), Ct);
        await File.WriteAllTextAsync(file, TektonV1Beta1.Copy(example), Ct);
        Assert.Contains("tekton.dev/v1beta1", await File.ReadAllTextAsync(file, Ct), StringComparison.Ordinal);

        var r = await Mship("run", "-f", file, "-o", "json", "--workdir", Path.Combine(_dir, "work"));

        Assert.True(r.ExitCode == 0, r.Stderr);
        var run = JsonNode.Parse(r.Stdout)!;
        Assert.Equal("tekton.dev/v1", run["apiVersion"]!.GetValue<string>());
        Assert.Equal("True", run["status"]!["conditions"]![0]!["status"]!.GetValue<string>());
    }
}
