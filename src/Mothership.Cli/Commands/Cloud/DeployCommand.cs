using System.Collections.Immutable;
using System.CommandLine;
using Mothership.Cli.Output.Progress;
using Mothership.Cloud.Deploy;
using Mothership.Cloud.Planning;
using Mothership.Executors.Kubernetes;
using Mothership.Model.Tekton;

namespace Mothership.Cli.Commands.Cloud;

/// <summary><c>mship deploy</c>: runs a site's deploy pipeline, locally or as pods in the site's cluster.</summary>
internal static class DeployCommand
{
    private static readonly string[] Tools = ["helm", "kubectl"];

    public static Command Create()
    {
        var site = new SiteArguments();
        var dryRun = new Option<bool>("--dry-run") { Description = "diff each service's merged values against the last deploy instead of calling helm; needs no cluster" };
        var state = new Option<string?>("--state") { Description = "where the values last deployed are kept, per site (default .mothership/sites)" };
        var parallel = ParallelOption.Create("how many services deploy at once (default 4)", () => 4);
        var output = new Option<string>("--output", "-o") { Description = "text (logs and a summary) or json (the final PipelineRun)", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json");
        var executor = new Option<string?>("--executor") { Description = "local: helm and kubectl of this machine; kubernetes: pods in the site's cluster (its kubeconfig and context, the namespace and account of the site's executor); default: the site's executor.kind" };
        executor.AcceptOnlyFromAmong("local", "kubernetes");
        var image = DeployPipelineYaml.ImageOption("with the kubernetes executor: ");
        var plain = new Option<bool>("--plain") { Description = "print log lines as they come, not the live progress view a terminal gets (the default when stdout is not a terminal, TERM=dumb or CI is set)" };
        var server = new ServerDeployOptions();
        var command = new Command("deploy", "Deploy a site: its services in dependency order, only what changed between --from and --to (or, with --server, since the site's deployed revision)");
        site.AddTo(command, revisions: true);
        command.Options.Add(dryRun);
        command.Options.Add(state);
        command.Options.Add(parallel);
        command.Options.Add(output);
        command.Options.Add(executor);
        command.Options.Add(image);
        command.Options.Add(plain);
        server.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            if (server.Requested(parse))
            {
                return await server.DeployAsync(parse, parse.GetValue(site.Site)!, parse.GetValue(dryRun), parse.GetValue(output) == "json", parse.GetValue(plain),
                    [site.Repo, site.From, site.To, site.Charts, state, parallel, executor, image], ct).ConfigureAwait(false);
            }

            if (!ParallelOption.Check(parse.GetValue(parallel), "mship deploy"))
            {
                return ExitCodes.Usage;
            }

            var request = site.Request(parse, revisions: true);
            var dry = parse.GetValue(dryRun);
            using var planned = SiteArguments.Plan(request, out var exit);
            if (planned is null)
            {
                return exit;
            }

            var definition = planned.Site.Repository.Site;
            var onKubernetes = (parse.GetValue(executor) ?? definition.Executor.Kind) == "kubernetes";
            var error = onKubernetes ? PathChartError(planned, dry) : dry ? null : MissingTool(request.Site);
            if (error is not null)
            {
                Console.Error.WriteLine($"mship deploy: {error}");
                return ExitCodes.Usage;
            }

            if (onKubernetes)
            {
                // Missing credentials are one line before the plan, not an error after it.
                KubernetesExecutors.CheckCredentials(definition.Cluster.Kubeconfig, definition.Cluster.Context);
            }

            var json = parse.GetValue(output) == "json";
            if (!json)
            {
                Console.WriteLine(PlanFormats.Text(planned.Plan));
            }

            // Locally, path charts are read from the repository on disk (with --to, as checked out
            // now) and the state is a folder here; as pods, the state is the site's claim.
            var options = onKubernetes
                ? new DeployPipelineOptions { DryRun = dry, ForKubernetes = true, Image = parse.GetValue(image) ?? DeployPipelineOptions.DefaultImage }
                : new DeployPipelineOptions { DryRun = dry, ChartRoot = Path.GetFullPath(request.Repository) };
            if (DeployPipelineYaml.Generate(() => DeployPipelineBuilder.Yaml(planned, options)) is not { } yaml)
            {
                return ExitCodes.Usage;
            }

            var resources = DeployPipelineYaml.Load(yaml, $"deploy-{request.Site}.yaml");
            var run = resources.All.OfType<PipelineRun>().Single();
            var runOptions = new RunCommand.RunOptions([], [], [], json, null, null, parse.GetValue(parallel), false, null)
            {
                Progress = !json && ProgressView.Enabled(parse.GetValue(plain)),
            };
            if (onKubernetes)
            {
                var cluster = definition.Cluster;
                runOptions = runOptions with
                {
                    Kubernetes = new RunCommand.KubernetesTarget(cluster.Kubeconfig, cluster.Context, definition.Executor.Namespace),
                    ClusterYaml = [yaml],
                };
                return await RunCommand.ExecuteAsync(resources, [run], [], [], runOptions).ConfigureAwait(false);
            }

            var stateDir = Path.GetFullPath(parse.GetValue(state) ?? Path.Combine(".mothership", "sites"));
            Directory.CreateDirectory(stateDir);
            var workspaces = ImmutableArray.Create(new WorkspaceBinding { Name = DeployPipelineBuilder.StateWorkspace, Source = new VolumeSource { HostPath = stateDir } });
            return await RunCommand.ExecuteAsync(resources, [run], [], workspaces, runOptions).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Why this machine cannot deploy for real: helm or kubectl missing from PATH; null when both are there.</summary>
    private static string? MissingTool(string site) => Tools.FirstOrDefault(t => FindOnPath(t) is null) is { } missing
        ? $"'{missing}' is not on PATH: a deploy calls helm and kubectl against site '{site}'s cluster. Install Helm 3 and kubectl, deploy as pods in the site's cluster (--executor kubernetes), or review the change with --dry-run (no cluster needed)."
        : null;

    /// <summary>
    /// Why the services to deploy cannot be installed by pods: a chart given by path lives in this
    /// checkout, which a pod in the cluster cannot read (a dry run reads no chart); null when none is.
    /// </summary>
    private static string? PathChartError(DeployPlanWithSite planned, bool dryRun)
    {
        if (dryRun)
        {
            return null;
        }

        var catalog = planned.Site.Repository.Services.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var local = planned.Plan.Services.Where(s => s.Run && catalog[s.Name].Chart.Path is not null).Select(s => $"{s.Name} ({catalog[s.Name].Chart.Path})").ToList();
        return local.Count == 0
            ? null
            : $"charts given by path in the site repository cannot be installed by pods in the cluster: {string.Join(", ", local)}. Publish them to a chart repository, or deploy with --executor local.";
    }

    private static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists);
}
