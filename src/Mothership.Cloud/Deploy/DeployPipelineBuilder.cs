using Mothership.Cloud.Planning;
using Mothership.Cloud.Sites;
using Mothership.Cloud.Sources;
using Mothership.Cloud.Values;
using Mothership.Model.Tekton.Vocabulary;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.EventEmitters;

namespace Mothership.Cloud.Deploy;

/// <summary>
/// Builds a site's deploy pipeline in Tekton's model, as YAML documents: one Task
/// (<see cref="TaskName"/>: render → diff → <c>helm upgrade --install</c> → wait for pods and jobs →
/// verify → record), a Pipeline with one task per service (<c>runAfter</c> from the plan, members
/// of a group start together, a <c>when</c> guard per service so unchanged services stay idle, a
/// <c>finally</c> summary), and a PipelineRun. The same YAML runs on the local executor and is what
/// <c>mship export</c> prints, so what is reviewed is what runs.
/// </summary>
public static class DeployPipelineBuilder
{
    public const string TaskName = "mothership-deploy-service";

    public const string StateWorkspace = "state";

    public static string PipelineName(string site) => $"deploy-{site}";

    public static string StateClaim(string site) => $"mothership-state-{site}";

    public static string RunParam(string service) => $"run-{service}";

    /// <summary>The documents, in apply order.</summary>
    public static IReadOnlyList<Dictionary<string, object?>> Documents(DeployPlanWithSite planned, DeployPipelineOptions options)
    {
        var docs = new List<Dictionary<string, object?>>();
        if (options.ForKubernetes)
        {
            docs.Add(StateVolume(planned.Plan.Site));
        }

        docs.Add(Task(options));
        docs.Add(Pipeline(planned, options));
        docs.Add(Run(planned.Plan, planned.Site.Repository.Site.Executor, options));
        return docs;
    }

    public static string Yaml(DeployPlanWithSite planned, DeployPipelineOptions options)
    {
        var serializer = new SerializerBuilder()
            .WithEventEmitter(next => new LiteralScriptEmitter(next))
            .DisableAliases()
            .Build();
        return string.Join("---\n", Documents(planned, options).Select(serializer.Serialize));
    }

    private static Dictionary<string, object?> Labels(string? site) => site is null
        ? new() { [MothershipLabels.ManagedBy] = MothershipLabels.ManagedByValue }
        : new() { [MothershipLabels.ManagedBy] = MothershipLabels.ManagedByValue, [MothershipLabels.Site] = site };

    private static Dictionary<string, object?> RunLabels(string site, DeployPipelineOptions options)
    {
        var labels = Labels(site);
        foreach (var (key, value) in options.RunLabels)
        {
            labels[key] = value;
        }

        return labels;
    }

    private static Dictionary<string, object?> RunAnnotations(DeployPlan plan, DeployPipelineOptions options)
    {
        var annotations = Estimates(plan);
        foreach (var (key, value) in options.RunAnnotations)
        {
            annotations[key] = value;
        }

        return annotations;
    }

    private static Dictionary<string, object?> StateVolume(string site) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "PersistentVolumeClaim",
        ["metadata"] = new Dictionary<string, object?> { ["name"] = StateClaim(site), ["labels"] = Labels(site) },
        ["spec"] = new Dictionary<string, object?>
        {
            ["accessModes"] = new List<object?> { "ReadWriteOnce" },
            ["resources"] = new Dictionary<string, object?> { ["requests"] = new Dictionary<string, object?> { ["storage"] = "1Gi" } },
        },
    };

    private static Dictionary<string, object?> Param(string name, string description, string? @default = null)
    {
        var p = new Dictionary<string, object?> { ["name"] = name, ["type"] = "string", ["description"] = description };
        if (@default is not null)
        {
            p["default"] = @default;
        }

        return p;
    }

    private static Dictionary<string, object?> Task(DeployPipelineOptions options)
    {
        Dictionary<string, object?> Step(string name, string script) =>
            new() { ["name"] = name, ["image"] = "$(params.image)", ["script"] = script };

        return new()
        {
            ["apiVersion"] = TektonLabels.ApiVersion,
            ["kind"] = "Task",
            ["metadata"] = new Dictionary<string, object?> { ["name"] = TaskName, ["labels"] = Labels(null) },
            ["spec"] = new Dictionary<string, object?>
            {
                ["description"] = "Deploys one service of a site: renders its values, diffs them against the last deploy, runs helm upgrade --install, waits for the release's pods and jobs, verifies, records.",
                ["params"] = new List<object?>
                {
                    Param("site", "the site"),
                    Param("service", "the service"),
                    Param("release", "the Helm release"),
                    Param("namespace", "the release's namespace"),
                    Param("chart", "the chart: a name in chart-repository, or a path"),
                    Param("chart-repository", "the chart repository URL; empty for a path chart", ""),
                    Param("chart-root", "where the site repository is checked out: a path chart is relative to it", ""),
                    Param("chart-version", "the chart version; empty for a path chart", ""),
                    Param("values", "the merged values (YAML) from the site repository"),
                    Param("kube-context", "kubeconfig context; empty: the current one or in-cluster", ""),
                    Param("kubeconfig", "kubeconfig file; empty: the default", ""),
                    Param("timeout", "how long helm and the wait may take", "15m"),
                    Param("timeout-seconds", "the same timeout in seconds", "900"),
                    Param("test", "run helm test after the release is ready", "false"),
                    Param("dry-run", "diff the values only; call neither helm nor kubectl", "false"),
                    Param("image", "an image with bash, helm and kubectl", options.Image),
                },
                ["workspaces"] = new List<object?>
                {
                    new Dictionary<string, object?> { ["name"] = StateWorkspace, ["description"] = "per site: the values last deployed of each service, kept between runs" },
                },
                ["results"] = new List<object?>
                {
                    new Dictionary<string, object?> { ["name"] = "outcome", ["description"] = "first-deploy, changed or unchanged (values against the last deploy)" },
                },
                ["steps"] = new List<object?>
                {
                    Step("render", DeployScripts.Render),
                    Step("diff", DeployScripts.Diff),
                    Step("helm-upgrade", DeployScripts.Upgrade),
                    Step("wait", DeployScripts.Wait),
                    Step("verify", DeployScripts.Verify),
                    Step("record", DeployScripts.Record),
                },
            },
        };
    }

    private static Dictionary<string, object?> Pipeline(DeployPlanWithSite planned, DeployPipelineOptions options)
    {
        var plan = planned.Plan;
        var repository = planned.Site.Repository;
        // In a pod of the site's cluster, helm and kubectl use the pod's account, not a context.
        var cluster = options.ForKubernetes ? repository.Site.Cluster with { Context = null, Kubeconfig = null } : repository.Site.Cluster;
        var parameters = new List<object?>
        {
            Param("dry-run", "diff values only; call neither helm nor kubectl", "false"),
            Param("chart-root", "where the site repository is checked out (for charts given by path)", ""),
        };
        var tasks = new List<object?>();

        // Members of a group wait for everything any of them waits for outside the group: they start together.
        var outside = plan.Services
            .Where(s => s.Group is not null)
            .GroupBy(s => s.Group!)
            .ToDictionary(g => g.Key, g => g.SelectMany(s => s.DependsOn).Where(d => g.All(m => m.Name != d)).Distinct().Order(StringComparer.Ordinal).ToList());
        foreach (var service in plan.Services)
        {
            var entry = repository.Services.First(s => s.Name == service.Name);
            var chart = entry.Chart;
            var taskTimeout = TaskTimeout(service);
            parameters.Add(Param(RunParam(service.Name), $"deploy {service.Name} (false: leave it as it is)", "true"));
            var task = new Dictionary<string, object?>
            {
                ["name"] = service.Name,
                ["taskRef"] = new Dictionary<string, object?> { ["name"] = TaskName },
            };
            var after = service.Group is { } group ? outside[group] : [.. service.DependsOn];
            if (after.Count > 0)
            {
                task["runAfter"] = after.Cast<object?>().ToList();
            }

            task["when"] = new List<object?>
            {
                new Dictionary<string, object?> { ["input"] = $"$(params.{RunParam(service.Name)})", ["operator"] = "in", ["values"] = new List<object?> { "true" } },
            };
            task["timeout"] = PlanFormats.Duration(taskTimeout);
            task["params"] = new List<object?>
            {
                Arg("site", plan.Site),
                Arg("service", service.Name),
                Arg("release", service.Release),
                Arg("namespace", service.Namespace),
                Arg("chart", chart.Path ?? chart.Name!),
                Arg("chart-repository", chart.Repository ?? ""),
                Arg("chart-root", "$(params.chart-root)"),
                Arg("chart-version", chart.Version ?? ""),
                Arg("values", ValuesParam(service.Name, ValuesRenderer.Render(planned.Site.Values[service.Name].Values, sources: false))),
                Arg("kube-context", cluster.Context ?? ""),
                Arg("kubeconfig", cluster.Kubeconfig ?? ""),
                Arg("timeout", PlanFormats.Duration(service.Timeout)),
                Arg("timeout-seconds", ((long)service.Timeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture)),
                Arg("test", service.Test ? "true" : "false"),
                Arg("dry-run", "$(params.dry-run)"),
            };
            task["workspaces"] = new List<object?> { new Dictionary<string, object?> { ["name"] = StateWorkspace, ["workspace"] = StateWorkspace } };
            tasks.Add(task);
        }

        var summaryParams = plan.Services.Select(s => Arg(s.Name, $"$(tasks.{s.Name}.status)")).ToList();
        summaryParams.Add(Arg("overall", "$(tasks.status)"));
        var width = plan.Services.Select(s => s.Name.Length).DefaultIfEmpty(8).Max() + 2;
        var script = "#!/usr/bin/env bash\n" +
            $"echo \"site {plan.Site}: $(params.overall)\"\n" +
            string.Concat(plan.Services.Select(s =>
                $"printf '  %-{width}s %s\\n' {s.Name} \"$(echo '$(params.{s.Name})' | sed 's/^None$/skipped (unchanged or after a failure)/')\"\n"));
        var summary = new Dictionary<string, object?>
        {
            ["name"] = "summary",
            ["params"] = summaryParams,
            ["taskSpec"] = new Dictionary<string, object?>
            {
                ["params"] = plan.Services.Select(s => (object?)Param(s.Name, $"status of {s.Name}")).Append(Param("overall", "status of the deploy")).ToList(),
                ["steps"] = new List<object?> { new Dictionary<string, object?> { ["name"] = "print", ["image"] = "docker.io/library/bash:5.2", ["script"] = script } },
            },
        };

        return new()
        {
            ["apiVersion"] = TektonLabels.ApiVersion,
            ["kind"] = "Pipeline",
            ["metadata"] = new Dictionary<string, object?> { ["name"] = PipelineName(plan.Site), ["labels"] = Labels(plan.Site), ["annotations"] = Estimates(plan) },
            ["spec"] = new Dictionary<string, object?>
            {
                ["description"] = $"Deploys site {plan.Site} ({repository.Site.Environment}, region {repository.Site.Region}): {plan.Services.Length} services in {plan.Waves.Length} waves, generated by mship from its site repository.",
                ["params"] = parameters,
                ["workspaces"] = new List<object?> { new Dictionary<string, object?> { ["name"] = StateWorkspace } },
                ["tasks"] = tasks,
                ["finally"] = new List<object?> { summary },
            },
        };
    }

    private static Dictionary<string, object?> Run(DeployPlan plan, SiteExecutor executor, DeployPipelineOptions options)
    {
        var parameters = new List<object?> { Arg("dry-run", options.DryRun ? "true" : "false"), Arg("chart-root", options.ChartRoot ?? "") };
        parameters.AddRange(plan.Services.Select(s => Arg(RunParam(s.Name), s.Run ? "true" : "false")));
        var workspace = new Dictionary<string, object?> { ["name"] = StateWorkspace };
        if (options.ForKubernetes || options.StateOnClaim)
        {
            workspace["persistentVolumeClaim"] = new Dictionary<string, object?> { ["claimName"] = StateClaim(plan.Site) };
        }
        else
        {
            // Bound to a host folder by `mship deploy`; emptyDir keeps the document valid Tekton.
            workspace["emptyDir"] = new Dictionary<string, object?>();
        }

        // Tekton's default of one hour is too short for a cloud: allow every task its full time, one after another.
        var total = plan.Services.Aggregate(TimeSpan.FromMinutes(10), (t, s) => t + TaskTimeout(s));
        var spec = new Dictionary<string, object?>
        {
            ["pipelineRef"] = new Dictionary<string, object?> { ["name"] = PipelineName(plan.Site) },
            ["params"] = parameters,
            ["workspaces"] = new List<object?> { workspace },
            ["timeouts"] = new Dictionary<string, object?> { ["pipeline"] = PlanFormats.Duration(total) },
        };
        if (options.ForKubernetes)
        {
            spec["taskRunTemplate"] = new Dictionary<string, object?> { ["serviceAccountName"] = executor.ServiceAccount };
        }

        return new()
        {
            ["apiVersion"] = TektonLabels.ApiVersion,
            ["kind"] = "PipelineRun",
            ["metadata"] = new Dictionary<string, object?> { ["generateName"] = $"{PipelineName(plan.Site)}-", ["labels"] = RunLabels(plan.Site, options), ["annotations"] = RunAnnotations(plan, options) },
            ["spec"] = spec,
        };
    }

    /// <summary>
    /// The estimated duration of each service that runs (<see cref="MothershipLabels.EstimatedDurations"/>);
    /// services left idle take none, as in the plan's critical path. On the Pipeline, and copied on
    /// the run as Tekton propagates a Pipeline's annotations, because followers read the run.
    /// </summary>
    private static Dictionary<string, object?> Estimates(DeployPlan plan)
    {
        var estimates = new System.Text.Json.Nodes.JsonObject();
        foreach (var service in plan.Services.Where(s => s.Run))
        {
            estimates[service.Name] = PlanFormats.Duration(service.EstimatedDuration);
        }

        return new() { [MothershipLabels.EstimatedDurations] = estimates.ToJsonString() };
    }

    /// <summary>helm's timeout, then the wait's, then a margin for rendering, tests and recording.</summary>
    private static TimeSpan TaskTimeout(ServicePlan service) => (2 * service.Timeout) + TimeSpan.FromMinutes(5);

    /// <summary>
    /// Merged values as the render step's here-document holds them: without their last newline
    /// (the here-document adds it back), and never with a line that would end it early.
    /// </summary>
    private static string ValuesParam(string service, string rendered)
    {
        if (rendered.Split('\n').Any(line => line.TrimEnd('\r') == DeployScripts.ValuesEnd))
        {
            throw new SiteSourceException($"the merged values of service '{service}' hold a line '{DeployScripts.ValuesEnd}', which the deploy step reserves to end them");
        }

        return rendered.EndsWith('\n') ? rendered[..^1] : rendered;
    }

    private static Dictionary<string, object?> Arg(string name, string value) => new() { ["name"] = name, ["value"] = value };

    /// <summary>Writes multi-line strings (scripts, values) as literal blocks, which people can read.</summary>
    private sealed class LiteralScriptEmitter(IEventEmitter next) : ChainedEventEmitter(next)
    {
        public override void Emit(ScalarEventInfo eventInfo, IEmitter emitter)
        {
            if (eventInfo.Source.Value is string s && s.Contains('\n') && !s.Split('\n').Any(l => l.EndsWith(' ') || l.EndsWith('\t')))
            {
                eventInfo.Style = ScalarStyle.Literal;
            }

            base.Emit(eventInfo, emitter);
        }
    }
}
