using System.Collections.Concurrent;
using Mothership.Cloud.Sites;
using Mothership.Cloud.Sources;
using Mothership.Cloud.Values;
using Mothership.Model.Diagnostics;

namespace Mothership.Cloud.Charts;

/// <summary>
/// Finds charts: a <c>path</c> chart in the site repository (as of the revision being planned, so a
/// chart change is a change), a <c>repository</c> chart in a local chart directory — an unpacked
/// chart repository or a checkout of openstack-helm, <c>&lt;dir&gt;/&lt;name&gt;/Chart.yaml</c> —
/// since planning must work with no network. Charts from the directory are read once and kept.
/// </summary>
public sealed class ChartStore(string? chartDirectory)
{
    private readonly ConcurrentDictionary<string, ChartInfo?> _cache = new(StringComparer.Ordinal);

    // The chart directory is read like a site repository's working tree: one way to read files.
    private readonly WorkingTreeFiles? _directory = chartDirectory is null ? null : new WorkingTreeFiles(chartDirectory);

    /// <summary>The chart of <paramref name="service"/>; null with a diagnostic when it cannot be read.</summary>
    public ChartInfo? Find(IRepositoryFiles files, ServiceEntry service, string displayRoot, DiagnosticBag diagnostics)
    {
        var chart = service.Chart;
        if (chart.Path is { } path)
        {
            return Read(files, path, SiteRepositoryLoader.Display(displayRoot, path), chart, service, diagnostics);
        }

        if (_directory is null)
        {
            diagnostics.Error(chart.Location, $"service '{service.Name}': chart {chart.Name} {chart.Version} comes from {chart.Repository}; give the folder holding the unpacked charts with --charts DIR (or MOTHERSHIP_CHARTS), e.g. a checkout of openstack-helm");
            return null;
        }

        var key = $"{chart.Name}@{chart.Version}";
        var dir = Path.Combine(_directory.Root, chart.Name!);
        var local = new DiagnosticBag();
        var info = _cache.GetOrAdd(key, _ => Read(_directory, chart.Name!, dir, chart, service, local));
        diagnostics.AddRange(local.Items);
        if (info is null && local.Items.Count == 0)
        {
            // Cached as unreadable by an earlier service: say so for this one too.
            diagnostics.Error(chart.Location, $"service '{service.Name}': chart {key} could not be read from {dir}");
        }

        return info;
    }

    /// <summary>Reads the chart in folder <paramref name="folder"/> of <paramref name="files"/>, shown as <paramref name="where"/>.</summary>
    private static ChartInfo? Read(IRepositoryFiles files, string folder, string where, ChartReference chart, ServiceEntry service, DiagnosticBag diagnostics)
    {
        var chartYaml = files.ReadText($"{folder}/Chart.yaml");
        var valuesYaml = files.ReadText($"{folder}/values.yaml");
        if (chartYaml is null)
        {
            diagnostics.Error(chart.Location, $"service '{service.Name}': no chart at {where} (Chart.yaml not found)");
            return null;
        }

        var chartFile = $"{where}/Chart.yaml";
        if (ValueFileReader.Read(chartFile, chartYaml, diagnostics) is not { } meta)
        {
            return null;
        }

        var name = (meta["name"] as ValueScalar)?.Text;
        var version = (meta["version"] as ValueScalar)?.Text;
        if (name is null || version is null)
        {
            diagnostics.Error(new SourceLocation(chartFile, 1, 1), $"Chart.yaml lacks {(name is null ? "name" : "version")}");
            return null;
        }

        if (chart.Name is { } wanted && wanted != name)
        {
            diagnostics.Error(chart.At("name"), $"service '{service.Name}': {chartFile} is chart '{name}', not '{wanted}'");
            return null;
        }

        if (chart.Version is { } wantedVersion && wantedVersion != version)
        {
            diagnostics.Error(chart.At("version"), $"service '{service.Name}': chart {name} is version {version} in {where}, not {wantedVersion}; update the chart folder or the version");
            return null;
        }

        var values = valuesYaml is null ? ValueMap.Empty : ValueFileReader.Read($"{where}/values.yaml", valuesYaml, diagnostics);
        return values is null ? null : new ChartInfo { Name = name, Version = version, Source = where, Values = values };
    }
}
