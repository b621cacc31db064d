using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mothership.Cloud.Planning;
using Mothership.Cloud.Sites;

namespace Mothership.Cloud.Drift;

/// <summary>
/// Compares a site's desired state at a revision — each enabled service's chart version and
/// merged values, as the planner reads them (<see cref="LoadedSite"/>) — with what helm reports
/// in the site's cluster: <c>helm list -n NAMESPACE -o json</c> (release names, <c>chart</c> as
/// <c>name-version</c>) once per namespace, and <c>helm get values RELEASE -n NAMESPACE -o json</c>
/// (the user-supplied values) per release present. helm is reached through
/// <see cref="IHelmRunner"/> with the site's <c>cluster.context</c> and <c>cluster.kubeconfig</c>.
/// A failing helm makes the services it concerns <see cref="DriftState.Unknown"/> with its error;
/// the check itself never throws for it.
/// </summary>
public sealed class DriftChecker(IHelmRunner helm)
{
    /// <summary>Checks every enabled service of <paramref name="site"/>, loaded at <paramref name="revision"/>.</summary>
    public async Task<SiteDrift> CheckAsync(LoadedSite site, string revision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(site);
        var repository = site.Repository;
        var cluster = ClusterArguments(repository.Site.Cluster);
        var lists = new Dictionary<string, (Dictionary<string, string>? Charts, string? Error)>(StringComparer.Ordinal);
        var services = ImmutableArray.CreateBuilder<ServiceDrift>();
        foreach (var service in repository.Services)
        {
            var ns = repository.NamespaceOf(service);
            if (!lists.TryGetValue(ns, out var list))
            {
                list = await ListAsync(ns, cluster, cancellationToken).ConfigureAwait(false);
                lists[ns] = list;
            }

            services.Add(await CheckServiceAsync(site, service, ns, list, cluster, cancellationToken).ConfigureAwait(false));
        }

        return new SiteDrift(repository.Site.Name, revision, services.ToImmutable());
    }

    private async Task<ServiceDrift> CheckServiceAsync(LoadedSite site, ServiceEntry service, string ns, (Dictionary<string, string>? Charts, string? Error) list, IReadOnlyList<string> cluster, CancellationToken cancellationToken)
    {
        var chart = site.Charts[service.Name];
        var drift = new ServiceDrift
        {
            Service = service.Name,
            Release = service.ReleaseName,
            Namespace = ns,
            DesiredChart = $"{chart.Name}-{chart.Version}",
            State = DriftState.Unknown,
        };
        if (list.Charts is not { } charts)
        {
            return drift with { Error = list.Error };
        }

        if (!charts.TryGetValue(service.ReleaseName, out var deployedChart))
        {
            return drift with { State = DriftState.OutOfSync, Missing = true };
        }

        var values = await helm.RunAsync([.. (string[])["get", "values", service.ReleaseName, "-n", ns, "-o", "json"], .. cluster], cancellationToken).ConfigureAwait(false);
        if (!values.Succeeded)
        {
            return drift with { DeployedChart = deployedChart, Error = values.Error };
        }

        JsonObject? deployed;
        try
        {
            // helm prints "null" for a release installed without values.
            deployed = JsonNode.Parse(values.Output) switch
            {
                null => null,
                JsonObject o => o,
                _ => throw new JsonException("not a JSON object"),
            };
        }
        catch (JsonException e)
        {
            return drift with { DeployedChart = deployedChart, Error = $"helm get values {service.ReleaseName} -n {ns}: unreadable answer: {e.Message}" };
        }

        var differences = ValuesComparer.Compare(site.Values[service.Name].Values, deployed);
        var inSync = differences.IsEmpty && deployedChart == drift.DesiredChart;
        return drift with { DeployedChart = deployedChart, Differences = differences, State = inSync ? DriftState.InSync : DriftState.OutOfSync };
    }

    /// <summary>Release name → chart (<c>name-version</c>) in <paramref name="ns"/>, or helm's error.</summary>
    private async Task<(Dictionary<string, string>? Charts, string? Error)> ListAsync(string ns, IReadOnlyList<string> cluster, CancellationToken cancellationToken)
    {
        var result = await helm.RunAsync([.. (string[])["list", "-n", ns, "-o", "json"], .. cluster], cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            return (null, result.Error);
        }

        try
        {
            var releases = JsonNode.Parse(result.Output) as JsonArray ?? throw new JsonException("not a JSON array");
            var charts = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var release in releases.OfType<JsonObject>())
            {
                if (release["name"]?.GetValue<string>() is { } name)
                {
                    charts[name] = release["chart"]?.GetValue<string>() ?? "";
                }
            }

            return (charts, null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return (null, $"helm list -n {ns}: unreadable answer: {e.Message}");
        }
    }

    /// <summary>The site's cluster as helm's flags, as the deploy pipeline passes them.</summary>
    private static IReadOnlyList<string> ClusterArguments(ClusterTarget cluster)
    {
        var arguments = new List<string>();
        if (cluster.Context is { Length: > 0 } context)
        {
            arguments.AddRange(["--kube-context", context]);
        }

        if (cluster.Kubeconfig is { Length: > 0 } kubeconfig)
        {
            arguments.AddRange(["--kubeconfig", kubeconfig]);
        }

        return arguments;
    }
}
