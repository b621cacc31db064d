using System.Collections.Immutable;
using System.CommandLine;
using Mothership.Cloud.Deploy;
using Mothership.Cloud.Planning;
using Mothership.Cloud.Sources;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;
using Mothership.Model.Validation;

namespace Mothership.Cli.Commands;

/// <summary>
/// <c>mship deploy</c> runs a site's deploy pipeline on the local executor; <c>mship export</c>
/// prints the same pipeline as Tekton YAML for a real Tekton.
/// </summary>
internal static class DeployCommand
{
    private static readonly string[] Tools = ["helm", "kubectl"];

    public static Command Create()
    {
        var site = new CloudCommands.SiteOptions();
        var dryRun = new Option<bool>("--dry-run") { Description = "diff each service's merged values against the last deploy instead of calling helm; needs no cluster" };
        var state = new Option<string?>("--state") { Description = "where the values last deployed are kept, per site (default .mothership/sites)" };
        var parallel = new Option<int>("--parallel") { Description = "how many services deploy at once (default 4)", DefaultValueFactory = _ => 4 };
        var output = new Option<string>("--output", "-o") { Description = "text (logs and a summary) or json (the final PipelineRun)", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json");
        var executor = new Option<string?>("--executor") { Description = "local: helm and kubectl of this machine; kubernetes: pods in the site's cluster (its kubeconfig and context, the namespace and account of the site's executor); default: the site's executor.kind" };
        executor.AcceptOnlyFromAmong("local", "kubernetes");
        var image = ImageOption("with the kubernetes executor: ");
        var command = new Command("deploy", "Deploy a site: its services in dependency order, only what changed between --from and --to");
        site.AddTo(command, revisions: true);
        command.Options.Add(dryRun);
        command.Options.Add(state);
        command.Options.Add(parallel);
        command.Options.Add(output);
        command.Options.Add(executor);
        command.Options.Add(image);
        command.SetAction(async (parse, _) =>
        {
            var request = site.Request(parse, revisions: true);
            var dry = parse.GetValue(dryRun);
            using var planned = CloudCommands.PlanSite(request, out var exit);
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
            if (Generate(() => DeployPipelineBuilder.Yaml(planned, options)) is not { } yaml)
            {
                return ExitCodes.Usage;
            }

            var resources = LoadGenerated(yaml, $"deploy-{request.Site}.yaml");
            var run = resources.All.OfType<PipelineRun>().Single();
            var runOptions = new RunCommand.RunOptions([], [], [], json, null, null, Math.Max(1, parse.GetValue(parallel)), false, null);
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

    public static Command CreateExport()
    {
        var site = new CloudCommands.SiteOptions();
        var format = new Option<string>("--format") { Description = "tekton: Task, Pipeline, PipelineRun (and the state PersistentVolumeClaim)", DefaultValueFactory = _ => "tekton" };
        format.AcceptOnlyFromAmong("tekton");
        var dryRun = new Option<bool>("--dry-run") { Description = "the exported PipelineRun diffs values only" };
        var image = ImageOption("");
        var command = new Command("export", "Print a site's deploy pipeline as plain Tekton YAML (kubectl create -f)");
        site.AddTo(command, revisions: true);
        command.Options.Add(format);
        command.Options.Add(dryRun);
        command.Options.Add(image);
        command.SetAction(parse =>
        {
            using var planned = CloudCommands.PlanSite(site.Request(parse, revisions: true), out var exit, quiet: true);
            if (planned is null)
            {
                return exit;
            }

            if (Generate(() => DeployPipelineBuilder.Yaml(planned, new DeployPipelineOptions { DryRun = parse.GetValue(dryRun), Image = parse.GetValue(image) ?? DeployPipelineOptions.DefaultImage, ForKubernetes = true })) is not { } yaml)
            {
                return ExitCodes.Usage;
            }

            LoadGenerated(yaml, "export.yaml");
            Console.Write(yaml);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The image the deploy steps run in when they run as pods (deploy on Kubernetes, export).</summary>
    private static Option<string> ImageOption(string when) =>
        new("--image") { Description = $"{when}image with bash, helm and kubectl for the steps", DefaultValueFactory = _ => DeployPipelineOptions.DefaultImage };

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

    /// <summary>The deploy pipeline's YAML, or null after saying why the site's values cannot go into it.</summary>
    private static string? Generate(Func<string> build)
    {
        try
        {
            return build();
        }
        catch (SiteSourceException e)
        {
            Console.Error.WriteLine($"mship: {e.Message}");
            return null;
        }
    }

    /// <summary>Loads and validates generated YAML: a problem here is a bug in the generator, never the user's.</summary>
    private static ResourceSet LoadGenerated(string yaml, string name)
    {
        var bag = new DiagnosticBag();
        var resources = new ResourceSet { All = [.. ResourceLoader.Load(name, yaml, bag)] };
        ResourceValidator.Validate(resources, bag);
        return bag.HasErrors
            ? throw new InvalidOperationException($"the generated deploy pipeline is not valid Tekton: {string.Join("; ", bag.Sorted().Take(5))}")
            : resources;
    }

    private static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists);
}
