using System.Collections.Immutable;
using Mothership.Cloud.Changes;
using Mothership.Cloud.Charts;
using Mothership.Cloud.Sites;
using Mothership.Cloud.Values;
using Mothership.Model.Diagnostics;

namespace Mothership.Cloud.Planning;

/// <summary>
/// The planner: makes a site's <see cref="DeployPlan"/>. Derives the deploy order from its charts' declared waits (a pure function): every wait
/// becomes an edge to the enabled service that provides it; waits on the service itself are
/// dropped; waits on what the site does not deploy are reported as external (a warning unless
/// <c>cloud.yaml</c> acknowledges the endpoint); <c>cloud.yaml</c> adds and drops edges with
/// reasons. Real charts wait on each other (nova ↔ neutron), so services on a cycle form a group
/// deployed together; groups are ordered in waves by the longest chain of waits before them.
/// </summary>
public static class DeployPlanner
{
    /// <summary>Plans a loaded site: each chart's waits are read from its defaults merged with the site's values.</summary>
    public static DeployPlan Plan(LoadedSite site, ChangeSet? changes, string to)
    {
        var serviceCharts = site.Repository.Services.ToDictionary(
            s => s.Name,
            s => ServiceChartOf(site.Charts[s.Name], site.Values[s.Name]),
            StringComparer.Ordinal);
        return Plan(site.Repository, serviceCharts, changes, to);
    }

    /// <summary>What a service's chart waits for and serves: read from the chart's defaults merged with the site's values.</summary>
    public static ServiceChart ServiceChartOf(ChartInfo chart, RenderedValues values) =>
        new(chart.Name, ChartDependencyReader.Read((ValueMap)ValueMap.Merge(chart.Values, values.Values)));

    /// <summary>Plans a site from what each enabled service's chart waits for; <paramref name="changes"/> null means every service runs.</summary>
    public static DeployPlan Plan(SiteRepository repository, IReadOnlyDictionary<string, ServiceChart> charts, ChangeSet? changes, string to)
    {
        var site = repository.Site;
        var enabled = repository.Services.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var warnings = new List<Diagnostic>();
        var added = new List<(string From, EdgeOverride Edge)>();
        var provides = repository.Services.ToDictionary(s => s.Name, s => ProvidedTypes(s, charts[s.Name]), StringComparer.Ordinal);
        var context = new Context(repository, provides);
        var edges = new Dictionary<string, List<ServiceWait>>(StringComparer.Ordinal);
        var external = new List<ExternalNeed>();
        var ignored = new List<IgnoredEdge>();
        foreach (var service in repository.Services)
        {
            var chart = charts[service.Name];
            var own = edges[service.Name] = [];
            var drops = service.IgnoreDependsOn.ToDictionary(e => e.Service, e => e, StringComparer.Ordinal);
            var dropped = new HashSet<string>(StringComparer.Ordinal);
            var reported = new HashSet<string>(StringComparer.Ordinal);
            foreach (var need in chart.Dependencies.Needs)
            {
                var resolution = Resolve(service, chart, need, context);
                switch (resolution)
                {
                    case { Self: true }:
                        break;
                    case { Providers.Length: > 0 } r:
                        foreach (var provider in r.Providers)
                        {
                            if (drops.ContainsKey(provider))
                            {
                                dropped.Add(provider);
                            }
                            else if (own.All(e => e.To != provider))
                            {
                                own.Add(new ServiceWait(service.Name, provider, $"chart: {need}"));
                            }
                        }

                        break;
                    case { Absent: { } absent } when drops.ContainsKey(absent):
                        dropped.Add(absent);
                        break;
                    case var r when reported.Add($"{need.Kind}:{need.Target}"):
                        external.Add(new ExternalNeed(service.Name, Describe(need), r.Reason, r.Acknowledged));
                        if (!r.Acknowledged)
                        {
                            warnings.Add(Diagnostic.Warning(service.Location, $"service '{service.Name}' needs {Describe(need)}: {r.Reason}"));
                        }

                        break;
                }
            }

            foreach (var drop in service.IgnoreDependsOn)
            {
                if (dropped.Contains(drop.Service))
                {
                    ignored.Add(new IgnoredEdge(service.Name, drop.Service, drop.Reason ?? ""));
                }
                else
                {
                    warnings.Add(Diagnostic.Warning(drop.Location, $"service '{service.Name}': ignoreDependsOn '{drop.Service}' drops nothing: its chart declares no wait on '{drop.Service}' in site '{site.Name}'"));
                }
            }

            foreach (var extra in service.DependsOn)
            {
                var why = extra.Reason is { Length: > 0 } reason ? $"cloud.yaml: {reason}" : "cloud.yaml";
                if (own.Any(e => e.To == extra.Service))
                {
                    // The chart declares it already: keep the chart's origin, which says more.
                    continue;
                }

                if (enabled.ContainsKey(extra.Service))
                {
                    own.Add(new ServiceWait(service.Name, extra.Service, why));
                    added.Add((service.Name, extra));
                }
                else
                {
                    var message = $"cloud.yaml makes it wait for '{extra.Service}', which site '{site.Name}' does not enable";
                    external.Add(new ExternalNeed(service.Name, $"service {extra.Service}", message, Acknowledged: false));
                    warnings.Add(Diagnostic.Warning(extra.Location, $"service '{service.Name}': {message}"));
                }
            }
        }

        var graph = new DependencyGraph<string>(repository.Services.Select(s => s.Name), s => edges[s].Select(e => e.To), StringComparer.Ordinal);
        var groups = DependencyGroups<string>.Of(graph);
        warnings.AddRange(CyclesMadeByCatalog(groups, added));
        var changedFiles = changes?.Changes;
        var planned = new List<ServicePlan>();
        foreach (var service in repository.Services)
        {
            var group = groups.GroupOf(service.Name);
            var serviceChanges = changedFiles is null
                ? ["no base revision: every service is deployed"]
                : changedFiles.TryGetValue(service.Name, out var c) ? c : [];
            var changed = changedFiles is null || !serviceChanges.IsEmpty;
            planned.Add(new ServicePlan
            {
                Name = service.Name,
                Chart = service.Chart.Display,
                Namespace = repository.NamespaceOf(service),
                Release = service.ReleaseName,
                DependsOn = [.. edges[service.Name].Select(e => e.To).Order(StringComparer.Ordinal)],
                Edges = [.. edges[service.Name].OrderBy(e => e.To, StringComparer.Ordinal)],
                Wave = groups.WaveOf(service.Name),
                Group = group.Length > 1 ? string.Join('+', group.Order(StringComparer.Ordinal)) : null,
                Changed = changed,
                Run = changed,
                Changes = serviceChanges,
                EstimatedDuration = service.EstimatedDuration ?? ServiceEntry.DefaultEstimatedDuration,
                Test = service.Test,
                Timeout = service.Timeout ?? ServiceEntry.DefaultTimeout,
            });
        }

        planned = [.. planned.OrderBy(s => s.Wave).ThenBy(s => s.Name, StringComparer.Ordinal)];
        var waves = planned.GroupBy(s => s.Wave).OrderBy(w => w.Key).Select(w => w.Select(s => s.Name).ToImmutableArray()).ToImmutableArray();
        return new DeployPlan
        {
            Site = site.Name,
            From = changes?.From,
            To = to,
            Services = [.. planned],
            Waves = waves,
            External = [.. external],
            Ignored = [.. ignored],
            Removed = changes?.Removed ?? [],
            CriticalPath = Critical(planned, groups),
            Diagnostics = [.. warnings],
        };
    }

    /// <summary>The endpoint types a service serves: as <c>cloud.yaml</c> says, else those its own chart names after itself.</summary>
    public static ImmutableHashSet<string> ProvidedTypes(ServiceEntry service, ServiceChart chart)
    {
        if (!service.Provides.IsEmpty)
        {
            return [.. service.Provides];
        }

        return [.. chart.Dependencies.Endpoints.Where(e => NamesService(e.Name, service, chart.ChartName) || NamesService(e.Host, service, chart.ChartName)).Select(e => e.Type)];
    }

    /// <summary>
    /// Whether an endpoint's name or default host names this service: its chart, service or release
    /// name, or a component of it (<c>nova-api</c>, <c>ovn-ovsdb-nb</c>), as OpenStack-Helm names hosts.
    /// </summary>
    private static bool NamesService(string? name, ServiceEntry service, string chartName) =>
        name is not null && new[] { chartName, service.Name, service.ReleaseName }.Any(n => name == n || name.StartsWith(n + "-", StringComparison.Ordinal));

    private sealed record Resolution(ImmutableArray<string> Providers, bool Self, string? Absent, string Reason, bool Acknowledged);

    /// <summary>What every resolution of one site needs, computed once (a site resolves hundreds of waits).</summary>
    private sealed class Context(SiteRepository repository, Dictionary<string, ImmutableHashSet<string>> provides)
    {
        public SiteRepository Repository { get; } = repository;

        public Dictionary<string, ImmutableHashSet<string>> Provides { get; } = provides;

        /// <summary>Chart and release names that prefix job names, longest first.</summary>
        public List<(ServiceEntry Service, string Prefix)> JobPrefixes { get; } = [.. repository.Services
            .SelectMany(s => new[] { ChartName(s), s.ReleaseName }.Distinct().Select(p => (Service: s, Prefix: p + "-")))
            .OrderByDescending(x => x.Prefix.Length)];
    }

    private static Resolution Resolve(ServiceEntry service, ServiceChart chart, ChartNeed need, Context context)
    {
        var repository = context.Repository;
        var provides = context.Provides;
        var site = repository.Site.Name;
        var others = repository.Services.Where(s => !ReferenceEquals(s, service));
        switch (need.Kind)
        {
            case NeedKind.Endpoint:
            {
                if (provides[service.Name].Contains(need.Target))
                {
                    return Self();
                }

                var endpoint = chart.Dependencies.Endpoint(need.Target);
                var candidates = new[] { endpoint?.Name, endpoint?.Host }.OfType<string>().ToList();
                if (candidates.Any(c => NamesService(c, service, chart.ChartName) && c != "localhost"))
                {
                    return Self();
                }

                var providers = others.Where(s => provides[s.Name].Contains(need.Target)).ToList();
                if (providers.Count > 1)
                {
                    // Several services serve the type (two databases): the chart's endpoint names which one.
                    var named = providers.Where(p => candidates.Any(c => NamesService(c, p, ChartName(p)))).ToList();
                    providers = named.Count > 0 ? named : providers;
                }

                if (providers.Count == 0)
                {
                    providers = [.. others.Where(s => candidates.Any(c => NamesService(c, s, ChartName(s))))];
                }

                if (providers.Count > 0)
                {
                    return Found(providers);
                }

                if (repository.Catalog.ExternalEndpoints.FirstOrDefault(e => e.Endpoint == need.Target) is { } acknowledged)
                {
                    return new Resolution([], false, null, $"outside the cloud: {acknowledged.Reason}", true);
                }

                var absent = repository.Catalog.Services.FirstOrDefault(s => s.Provides.Contains(need.Target) || candidates.Any(c => NamesService(c, s, ChartName(s))));
                return absent is not null
                    ? new Resolution([], false, absent.Name, $"served by '{absent.Name}', which site '{site}' does not enable", false)
                    : new Resolution([], false, null, $"no service of the catalog serves it (the chart names {(candidates.Count > 0 ? string.Join(" / ", candidates) : "no host")})", false);
            }

            case NeedKind.Pod:
            {
                if (need.Target == chart.ChartName || need.Target == service.Name)
                {
                    return Self();
                }

                var providers = others.Where(s => ChartName(s) == need.Target || s.Name == need.Target).ToList();
                if (providers.Count > 0)
                {
                    return Found(providers);
                }

                var absent = repository.Catalog.Services.FirstOrDefault(s => ChartName(s) == need.Target || s.Name == need.Target);
                return absent is not null
                    ? new Resolution([], false, absent.Name, $"runs in '{absent.Name}', which site '{site}' does not enable", false)
                    : new Resolution([], false, null, $"no service of the catalog deploys chart '{need.Target}'", false);
            }

            default:
            {
                // Jobs are named <chart>-<job> (keystone-db-sync); the longest such prefix owns the job.
                var owner = repository.Services.FirstOrDefault(s => s.Jobs.Contains(need.Target))
                    ?? context.JobPrefixes.FirstOrDefault(x => need.Target.StartsWith(x.Prefix, StringComparison.Ordinal)).Service;
                if (owner is null && need.Target.EndsWith("image-repo-sync", StringComparison.Ordinal))
                {
                    // Every chart has its own image-repo-sync job, under varying names.
                    return Self();
                }

                return owner switch
                {
                    null when repository.Catalog.Services.FirstOrDefault(s => s.Jobs.Contains(need.Target)) is { } absent =>
                        new Resolution([], false, absent.Name, $"created by '{absent.Name}', which site '{site}' does not enable", false),
                    null => new Resolution([], false, null, "no enabled service's chart or release name prefixes this job; name it under jobs of the service that creates it in cloud.yaml", false),
                    _ when owner.Name == service.Name => Self(),
                    _ => Found([owner]),
                };
            }
        }

        static Resolution Self() => new([], true, null, "", false);

        static Resolution Found(IEnumerable<ServiceEntry> providers) => new([.. providers.Select(p => p.Name)], false, null, "", false);
    }

    private static string ChartName(ServiceEntry s) => ValueLayers.ChartName(s.Chart);

    private static string Describe(ChartNeed need) => need.Kind switch
    {
        NeedKind.Endpoint => $"endpoint {need.Target}",
        NeedKind.Pod => $"pods of {need.Target}",
        _ => $"job {need.Target}",
    };

    /// <summary>
    /// The charts' own cycles are real and resolved at run time (a group); a cycle that exists only
    /// because <c>cloud.yaml</c> added an edge is a mistake: an error naming the cycle, at that edge.
    /// </summary>
    private static IEnumerable<Diagnostic> CyclesMadeByCatalog(DependencyGroups<string> groups, List<(string From, EdgeOverride Edge)> added)
    {
        foreach (var (from, to, cycle) in AddedEdgeCycles.Find(groups, [.. added.Select(a => (a.From, a.Edge.Service))]))
        {
            var edge = added.First(a => a.From == from && a.Edge.Service == to).Edge;
            yield return Diagnostic.Error(edge.Location,
                $"dependsOn '{edge.Service}' of service '{from}' makes a cycle: {string.Join(" → ", cycle)}; drop the edge, or drop a chart edge on the way with ignoreDependsOn");
        }
    }

    /// <summary>The critical path as the deploy pipeline runs: a service that does not run takes no time, and is not shown.</summary>
    private static CriticalPath Critical(List<ServicePlan> services, DependencyGroups<string> groups)
    {
        var byName = services.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var (chain, duration) = CriticalChain.Find(groups, s => byName[s].Run ? byName[s].EstimatedDuration : TimeSpan.Zero, StringComparer.Ordinal);
        return new CriticalPath([.. chain.Where(s => byName[s].Run)], duration);
    }
}
