using System.Collections.Immutable;
using Mothership.Cloud.Sites;
using Mothership.Cloud.Sources;
using Mothership.Cloud.Values;

namespace Mothership.Cloud.Changes;

/// <summary>
/// Decides which services changed between two revisions by comparing what feeds each of them: its
/// values layers (the files, by content), its chart (a path chart's files; a repository chart's
/// name and version), its catalog entry's release settings and the site's cluster target. A change
/// to one region's file touches only the services of the sites in that region that read it.
/// </summary>
public static class ChangeDetector
{
    /// <summary>Everything that feeds <paramref name="service"/> as of <paramref name="files"/>: input name → fingerprint.</summary>
    public static IReadOnlyDictionary<string, string> Inputs(IRepositoryFiles files, SiteRepository repository, ServiceEntry service)
    {
        var inputs = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var layer in ValueLayers.Candidates(repository.Site, service))
        {
            if (files.Fingerprint(layer.Path) is { } fingerprint)
            {
                inputs[layer.Path] = fingerprint;
            }
        }

        if (service.Chart.Path is { } chart)
        {
            foreach (var file in files.List(chart))
            {
                inputs[file] = files.Fingerprint(file) ?? "";
            }
        }

        var c = service.Chart;
        inputs[$"{SiteRepositoryLoader.CatalogFile}: chart, namespace or release of '{service.Name}'"] =
            string.Join('\n', c.Path, c.Repository, c.Name, c.Version, repository.NamespaceOf(service), service.ReleaseName);
        var cluster = repository.Site.Cluster;
        inputs[$"{SiteRepositoryLoader.SiteFile(repository.Site.Name)}: cluster"] = string.Join('\n', cluster.Context, cluster.Kubeconfig);
        return inputs;
    }

    /// <summary>
    /// The changes from <paramref name="from"/> (null when the site or its catalog cannot be read at
    /// that revision: everything is new) to <paramref name="to"/>.
    /// </summary>
    public static ChangeSet Compare(string fromRevision, IRepositoryFiles fromFiles, SiteRepository? from, IRepositoryFiles toFiles, SiteRepository to)
    {
        var changes = new Dictionary<string, ImmutableArray<string>>(StringComparer.Ordinal);
        foreach (var service in to.Services)
        {
            if (from?.Services.FirstOrDefault(s => s.Name == service.Name) is not { } before)
            {
                changes[service.Name] = [from is null ? $"site '{to.Site.Name}' cannot be read at {fromRevision}" : "newly enabled in the site"];
                continue;
            }

            var old = Inputs(fromFiles, from, before);
            var now = Inputs(toFiles, to, service);
            var differences = now.Keys.Union(old.Keys)
                .Where(k => !old.TryGetValue(k, out var a) || !now.TryGetValue(k, out var b) || a != b)
                .Select(k => old.ContainsKey(k) ? now.ContainsKey(k) ? k : $"{k} (removed)" : $"{k} (added)")
                .Order(StringComparer.Ordinal)
                .ToImmutableArray();
            if (!differences.IsEmpty)
            {
                changes[service.Name] = differences;
            }
        }

        var removed = from is null ? [] : from.Services.Select(s => s.Name).Where(n => to.Services.All(s => s.Name != n)).ToImmutableArray();
        return new ChangeSet(fromRevision, changes, removed);
    }
}
