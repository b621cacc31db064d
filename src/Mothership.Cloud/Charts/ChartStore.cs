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

    /// <summary>The directory repository charts are read from, when one was given.</summary>
    public string? ChartDirectory { get; } = chartDirectory is null ? null : Path.GetFullPath(chartDirectory);

    /// <summary>The chart of <paramref name="service"/>; null with a diagnostic when it cannot be read.</summary>
    public ChartInfo? Find(IRepositoryFiles files, ServiceEntry service, string displayRoot, DiagnosticBag diagnostics)
    {
        var chart = service.Chart;
        if (chart.Path is { } path)
        {
            return Read(
                files.ReadText($"{path}/Chart.yaml"),
                files.ReadText($"{path}/values.yaml"),
                SiteRepositoryLoader.Display(displayRoot, path),
                chart,
                service,
                diagnostics);
        }

        if (ChartDirectory is null)
        {
            diagnostics.Error(chart.Location, $"service '{service.Name}': chart {chart.Name} {chart.Version} comes from {chart.Repository}; give the folder holding the unpacked charts with --charts DIR (or MOTHERSHIP_CHARTS), e.g. a checkout of openstack-helm");
            return null;
        }

        var key = $"{chart.Name}@{chart.Version}";
        var dir = Path.Combine(ChartDirectory, chart.Name!);
        var local = new DiagnosticBag();
        var info = _cache.GetOrAdd(key, _ => Read(
            ReadFile(Path.Combine(dir, "Chart.yaml")),
            ReadFile(Path.Combine(dir, "values.yaml")),
            dir,
            chart,
            service,
            local));
        diagnostics.AddRange(local.Items);
        if (info is null && local.Items.Count == 0)
        {
            // Cached as unreadable by an earlier service: say so for this one too.
            diagnostics.Error(chart.Location, $"service '{service.Name}': chart {key} could not be read from {dir}");
        }

        return info;
    }

    private static string? ReadFile(string path) => File.Exists(path) ? File.ReadAllText(path) : null;

    private static ChartInfo? Read(string? chartYaml, string? valuesYaml, string where, ChartReference chart, ServiceEntry service, DiagnosticBag diagnostics)
    {
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
