using System.Collections.Immutable;
using Mothership.Cloud.Values;

namespace Mothership.Cloud.Charts;

/// <summary>
/// Reads what an OpenStack-Helm chart waits for, from its values (the chart's defaults merged with
/// the site's layers, so a site that points <c>endpoints.oslo_db.hosts.default</c> elsewhere moves
/// the edge too). Only <c>dependencies.static</c> counts: <c>dependencies.dynamic</c> holds waits
/// that apply per node or only with optional features (a local image registry, a network backend's
/// agents on the same node), which the chart's init containers resolve at run time; taking them as
/// release-order edges would invent cycles (libvirt ↔ neutron) and waits the charts never make
/// before install (keystone on rabbitmq). Components switched off under <c>manifests</c> and the
/// helm test pod wait for nothing at install.
/// </summary>
public static class ChartDependencyReader
{
    public static ChartDependencies Read(ValueMap values)
    {
        var needs = ImmutableArray.CreateBuilder<ChartNeed>();
        if (values["dependencies"] is ValueMap dependencies && dependencies["static"] is ValueMap components)
        {
            var manifests = values["manifests"] as ValueMap;
            foreach (var (component, node) in components.Entries)
            {
                if (node is not ValueMap waits || !Installs(component, manifests))
                {
                    continue;
                }

                if (waits["services"] is ValueList services)
                {
                    foreach (var item in services.Items.OfType<ValueMap>())
                    {
                        if (item["service"] is ValueScalar { IsNull: false } type)
                        {
                            // helm-toolkit looks the endpoint up as endpoints.<service with '-' as '_'>.
                            needs.Add(new ChartNeed(NeedKind.Endpoint, type.Text.Replace('-', '_'), component, type.Source));
                        }
                    }
                }

                if (waits["jobs"] is ValueList jobs)
                {
                    foreach (var job in jobs.Items.OfType<ValueScalar>().Where(j => !j.IsNull))
                    {
                        needs.Add(new ChartNeed(NeedKind.Job, job.Text, component, job.Source));
                    }
                }

                if (waits["pod"] is ValueList pods)
                {
                    foreach (var pod in pods.Items.OfType<ValueMap>())
                    {
                        if (pod["labels"] is ValueMap labels && labels["application"] is ValueScalar { IsNull: false } application)
                        {
                            needs.Add(new ChartNeed(NeedKind.Pod, application.Text, component, application.Source));
                        }
                    }
                }
            }
        }

        var endpoints = ImmutableArray.CreateBuilder<ChartEndpoint>();
        if (values["endpoints"] is ValueMap declared)
        {
            foreach (var (type, node) in declared.Entries)
            {
                if (node is not ValueMap endpoint)
                {
                    continue;
                }

                var name = endpoint["name"] is ValueScalar { IsNull: false } n ? n.Text : null;
                var host = endpoint["hosts"] switch
                {
                    ValueMap hosts when hosts["default"] is ValueScalar { IsNull: false } d => d.Text,
                    ValueScalar { IsNull: false } h => h.Text,
                    _ => null,
                };
                endpoints.Add(new ChartEndpoint(type, name, host));
            }
        }

        return new ChartDependencies(needs.ToImmutable(), endpoints.ToImmutable());
    }

    private static readonly string[] WorkloadKinds = ["deployment_", "statefulset_", "daemonset_", "job_", "cron_job_", "pod_"];

    /// <summary>
    /// Whether a component runs at install. OpenStack-Helm switches a component's workloads on and
    /// off with <c>manifests.&lt;kind&gt;_&lt;component&gt;</c> (nova's <c>compute_ironic</c> is
    /// <c>statefulset_compute_ironic: false</c> by default): a component whose every switch is off
    /// waits for nothing. <c>tests</c> is the helm test pod, which runs after the release is ready.
    /// </summary>
    private static bool Installs(string component, ValueMap? manifests)
    {
        if (component == "tests")
        {
            return false;
        }

        // Agents are switched as <kind>_<component>_agent (neutron's ovn_metadata: daemonset_ovn_metadata_agent).
        var switches = manifests?.Entries
            .Where(e => WorkloadKinds.Any(k => e.Key.StartsWith(k, StringComparison.Ordinal) && e.Key[k.Length..] is var rest && (rest == component || rest == component + "_agent")))
            .Select(e => e.Value)
            .ToList() ?? [];
        return switches.Count == 0 || switches.Any(v => v is not ValueScalar { Plain: true, Text: "false" or "False" });
    }
}
