using System.Collections.Immutable;
using Mothership.Cloud.Charts;
using Mothership.Cloud.Sites;
using Mothership.Cloud.Sources;
using Mothership.Cloud.Values;
using Mothership.Model.Diagnostics;

namespace Mothership.Cloud.Planning;

/// <summary>
/// One state of a site repository (a git revision or the working tree) read for any number of its
/// sites: every file is read once, <c>cloud.yaml</c>, each <c>site.yaml</c>, each service's chart
/// and each distinct stack of values layers are parsed once, and what a site's plan needs of a
/// chart (its waits, read from the chart's defaults merged with the values) is computed once per
/// distinct input. What parsing reported is kept with the result and replayed to every site that
/// uses it, so a site's diagnostics are the same whether it is planned alone or with a thousand others.
/// </summary>
internal sealed class RevisionReader
{
    private readonly ChartStore _charts;
    private (CloudCatalog? Catalog, ImmutableArray<Diagnostic> Diagnostics)? _catalog;
    private readonly Dictionary<string, (SiteDefinition? Site, ImmutableArray<Diagnostic> Diagnostics)> _sites = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (ChartInfo? Chart, ImmutableArray<Diagnostic> Diagnostics)> _serviceCharts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (RenderedValues? Values, ImmutableArray<Diagnostic> Diagnostics)> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<(ChartInfo, RenderedValues), ServiceChart> _waits = new(PairByReference.Instance);

    public RevisionReader(IRepositoryFiles files, string displayRoot, ChartStore charts)
    {
        Files = files as CachedRepositoryFiles ?? new CachedRepositoryFiles(files);
        DisplayRoot = displayRoot;
        _charts = charts;
    }

    public IRepositoryFiles Files { get; }

    public string DisplayRoot { get; }

    /// <summary>The site names of this state (<c>sites/&lt;site&gt;/site.yaml</c>).</summary>
    public IReadOnlyList<string> SiteNames() => SiteRepositoryLoader.SiteNames(Files);

    /// <summary>The site's <c>site.yaml</c> alone; null (diagnostics in <paramref name="diagnostics"/>) when unusable.</summary>
    public SiteDefinition? Site(string site, DiagnosticBag diagnostics)
    {
        if (!_sites.TryGetValue(site, out var read))
        {
            var bag = new DiagnosticBag();
            read = (SiteRepositoryLoader.LoadSite(Files, site, DisplayRoot, bag), [.. bag.Items]);
            _sites[site] = read;
        }

        diagnostics.AddRange(read.Diagnostics);
        return read.Site;
    }

    /// <summary>The catalog and the site, as <see cref="SiteRepositoryLoader.Load"/> reads them.</summary>
    public SiteRepository? Repository(string site, DiagnosticBag diagnostics)
    {
        if (_catalog is null)
        {
            var bag = new DiagnosticBag();
            _catalog = (SiteRepositoryLoader.LoadCatalog(Files, DisplayRoot, bag), [.. bag.Items]);
        }

        var siteBag = new DiagnosticBag();
        var definition = Site(site, siteBag);
        return SiteRepositoryLoader.Combine(_catalog.Value.Catalog, _catalog.Value.Diagnostics, definition, siteBag.Items, diagnostics);
    }

    /// <summary>Reads a site with its charts and values; null with diagnostics when anything is wrong.</summary>
    public LoadedSite? Load(string site, DiagnosticBag diagnostics)
    {
        var repository = Repository(site, diagnostics);
        if (repository is null)
        {
            return null;
        }

        ValueLayers.Check(Files, repository, DisplayRoot, diagnostics);
        var chartInfos = ImmutableDictionary.CreateBuilder<string, ChartInfo>(StringComparer.Ordinal);
        var values = ImmutableDictionary.CreateBuilder<string, RenderedValues>(StringComparer.Ordinal);
        foreach (var service in repository.Services)
        {
            if (Chart(service, diagnostics) is { } chart)
            {
                chartInfos[service.Name] = chart;
            }

            if (Values(repository.Site, service, diagnostics) is { } rendered)
            {
                values[service.Name] = rendered;
            }
        }

        return diagnostics.HasErrors ? null : new LoadedSite
        {
            Repository = repository,
            Files = Files,
            Charts = chartInfos.ToImmutable(),
            Values = values.ToImmutable(),
        };
    }

    /// <summary>What each enabled service's chart waits for in this site (<see cref="DeployPlanner.ServiceChartOf"/>, once per chart and values).</summary>
    public IReadOnlyDictionary<string, ServiceChart> ServiceCharts(LoadedSite site) =>
        site.Repository.Services.ToDictionary(
            s => s.Name,
            s =>
            {
                var key = (site.Charts[s.Name], site.Values[s.Name]);
                if (!_waits.TryGetValue(key, out var chart))
                {
                    chart = DeployPlanner.ServiceChartOf(key.Item1, key.Item2);
                    _waits[key] = chart;
                }

                return chart;
            },
            StringComparer.Ordinal);

    /// <summary>The service's chart; the catalog is the same for every site of this state, so the service's name is the key.</summary>
    private ChartInfo? Chart(ServiceEntry service, DiagnosticBag diagnostics)
    {
        if (!_serviceCharts.TryGetValue(service.Name, out var read))
        {
            var bag = new DiagnosticBag();
            read = (_charts.Find(Files, service, DisplayRoot, bag), [.. bag.Items]);
            _serviceCharts[service.Name] = read;
        }

        diagnostics.AddRange(read.Diagnostics);
        return read.Chart;
    }

    /// <summary>
    /// The service's merged values. Sites that read the same layer files (same features,
    /// environment and region, no file of their own) share one result: the files present, in
    /// order, determine the merge and what it reports.
    /// </summary>
    private RenderedValues? Values(SiteDefinition site, ServiceEntry service, DiagnosticBag diagnostics)
    {
        var present = ValueLayers.Candidates(site, service).Where(l => Files.ReadText(l.Path) is not null);
        var key = $"{service.Name}\n{string.Join('\n', present.Select(l => $"{l.Layer}\t{l.Path}"))}";
        if (!_values.TryGetValue(key, out var read))
        {
            var bag = new DiagnosticBag();
            read = (ValueLayers.Render(Files, site, service, DisplayRoot, bag), [.. bag.Items]);
            _values[key] = read;
        }

        diagnostics.AddRange(read.Diagnostics);
        return read.Values;
    }

    /// <summary>Charts and values are shared objects here, so they are told apart by identity (their records compare by content, which costs a deep walk).</summary>
    private sealed class PairByReference : IEqualityComparer<(ChartInfo, RenderedValues)>
    {
        public static PairByReference Instance { get; } = new();

        public bool Equals((ChartInfo, RenderedValues) x, (ChartInfo, RenderedValues) y) =>
            ReferenceEquals(x.Item1, y.Item1) && ReferenceEquals(x.Item2, y.Item2);

        public int GetHashCode((ChartInfo, RenderedValues) pair) =>
            HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(pair.Item1), System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(pair.Item2));
    }
}
