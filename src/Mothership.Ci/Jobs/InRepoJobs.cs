using System.Collections.Immutable;
using System.Text;
using Mothership.Ci.Forge;
using Mothership.Model.Diagnostics;

namespace Mothership.Ci.Jobs;

/// <summary>
/// The jobs of a repository's own <c>.prow.yaml</c>, or of every YAML file under <c>.prow/</c>
/// when that directory exists (Prow's inrepoconfig, <c>pkg/config/inrepoconfig.go</c>), with
/// Prow's defaulting and validation against the central config: the central and the file's
/// presets merged into their pods, no name or context shared with a central job of the
/// repository on overlapping branches, and only clusters <c>in_repo_config.allowed_clusters</c>
/// allows.
/// </summary>
/// <param name="GitRef">The ref the files were read at.</param>
/// <param name="Presubmits">Its presubmits, in file order.</param>
/// <param name="Postsubmits">Its postsubmits, in file order.</param>
/// <param name="Diagnostics">What is wrong, at <c>.prow.yaml:LINE:COL</c>.</param>
public sealed record InRepoJobs(string GitRef, ImmutableArray<Presubmit> Presubmits, ImmutableArray<Postsubmit> Postsubmits, ImmutableArray<Diagnostic> Diagnostics)
{
    /// <summary>Prow's in-repo config file.</summary>
    public const string FileName = ".prow.yaml";

    /// <summary>Prow's in-repo config directory; when it exists, <see cref="FileName"/> is not read.</summary>
    public const string DirectoryName = ".prow";

    /// <summary>How deep <see cref="DirectoryName"/> is read; a bound keeps a hostile tree cheap.</summary>
    private const int MaxDepth = 3;

    /// <summary>Whether anything is wrong: then none of its jobs may run (Prow falls back to the central jobs).</summary>
    public bool HasErrors => Diagnostics.Any(d => d.Severity == Severity.Error);

    /// <summary>Reads the in-repo config of <paramref name="repository"/> at <paramref name="gitRef"/>; no jobs when it has none.</summary>
    public static async Task<InRepoJobs> ReadAsync(IForge forge, ProwConfig central, RepositoryName repository, string gitRef, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(forge);
        ArgumentNullException.ThrowIfNull(repository);
        var files = await RepositoryFiles.ReadYamlTreeAsync(forge, repository, DirectoryName, gitRef, MaxDepth, cancellationToken).ConfigureAwait(false);
        if (files is null && await forge.GetFileContentAsync(repository, FileName, gitRef, cancellationToken).ConfigureAwait(false) is { } bytes)
        {
            files = [(FileName, Encoding.UTF8.GetString(bytes))];
        }

        return Load(central, repository.ToString(), gitRef, files ?? []);
    }

    /// <summary>Reads the in-repo config of a working tree at <paramref name="root"/> (for <c>mship ci test</c>); file names in diagnostics as on disk.</summary>
    public static InRepoJobs ReadDirectory(ProwConfig central, string orgRepo, string root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var directory = Path.Combine(root, DirectoryName);
        var file = Path.Combine(root, FileName);
        IEnumerable<string> paths = Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory, "*.*", SearchOption.AllDirectories).Where(f => RepositoryFiles.IsYaml(f)).Order(StringComparer.Ordinal)
            : File.Exists(file) ? [file] : [];
        return Load(central, orgRepo, root, [.. paths.Select(p => (Path.GetRelativePath(Environment.CurrentDirectory, p), File.ReadAllText(p)))]);
    }

    /// <summary>Loads the files' texts (pure) as jobs of <paramref name="orgRepo"/>, checked against <paramref name="central"/>.</summary>
    public static InRepoJobs Load(ProwConfig central, string orgRepo, string gitRef, IEnumerable<(string Path, string Text)> files)
    {
        ArgumentNullException.ThrowIfNull(central);
        ArgumentNullException.ThrowIfNull(files);
        var bag = new DiagnosticBag();
        var presets = central.Presets.ToBuilder();
        var presubmits = ImmutableArray.CreateBuilder<Presubmit>();
        var postsubmits = ImmutableArray.CreateBuilder<Postsubmit>();
        foreach (var (path, text) in files)
        {
            var read = ProwConfigReader.ReadInRepo(path, text, central.DecorateAllJobs, bag);
            presets.AddRange(read.Presets);
            presubmits.AddRange(read.Presubmits);
            postsubmits.AddRange(read.Postsubmits);
        }

        // Prow's DefaultAndValidateProwYAML: presets, then the rules over central and in-repo jobs together.
        var ownPresubmits = PresetResolver.Apply(presubmits.ToImmutable(), presets, bag);
        var ownPostsubmits = PresetResolver.Apply(postsubmits.ToImmutable(), presets, bag);
        var together = new ProwConfig
        {
            Presubmits = ImmutableSortedDictionary.Create<string, ImmutableArray<Presubmit>>(StringComparer.Ordinal).Add(orgRepo, central.PresubmitsFor(orgRepo).AddRange(ownPresubmits)),
            Postsubmits = ImmutableSortedDictionary.Create<string, ImmutableArray<Postsubmit>>(StringComparer.Ordinal).Add(orgRepo, central.PostsubmitsFor(orgRepo).AddRange(ownPostsubmits)),
        };
        ProwConfigReader.CheckDuplicates(together, bag);
        foreach (var job in ownPresubmits.Cast<ProwJob>().Concat(ownPostsubmits).Where(j => !central.InRepoConfig.AllowsCluster(j.Cluster, orgRepo)))
        {
            bag.Error(job.At("cluster"), $"job '{job.Name}': cluster '{job.Cluster}' is not allowed for repository {orgRepo}: allow it in in_repo_config.allowed_clusters of the central config");
        }

        return new InRepoJobs(gitRef, ownPresubmits, ownPostsubmits, [.. bag.Sorted()]);
    }
}
