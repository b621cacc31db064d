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
        var command = new Command("deploy", "Deploy a site: its services in dependency order, only what changed between --from and --to");
        site.AddTo(command, revisions: true);
        command.Options.Add(dryRun);
        command.Options.Add(state);
        command.Options.Add(parallel);
        command.Options.Add(output);
        command.SetAction(async (parse, _) =>
        {
            var request = site.Request(parse, revisions: true);
            var dry = parse.GetValue(dryRun);
            if (!dry && Tools.FirstOrDefault(t => FindOnPath(t) is null) is { } missing)
            {
                Console.Error.WriteLine($"mship deploy: '{missing}' is not on PATH: a deploy calls helm and kubectl against site '{request.Site}'s cluster. Install Helm 3 and kubectl, or review the change with --dry-run (no cluster needed).");
                return ExitCodes.Usage;
            }

            using var planned = CloudCommands.PlanSite(request, out var exit);
            if (planned is null)
            {
                return exit;
            }

            var json = parse.GetValue(output) == "json";
            if (!json)
            {
                Console.WriteLine(PlanFormats.Text(planned.Plan));
            }

            // Path charts are read from the repository on disk (with --to, as checked out now).
            if (Generate(() => DeployPipelineBuilder.Yaml(planned, new DeployPipelineOptions { DryRun = dry, ChartRoot = Path.GetFullPath(request.Repository) })) is not { } yaml)
            {
                return ExitCodes.Usage;
            }

            var resources = LoadGenerated(yaml, $"deploy-{request.Site}.yaml");
            var run = resources.All.OfType<PipelineRun>().Single();
            var stateDir = Path.GetFullPath(parse.GetValue(state) ?? Path.Combine(".mothership", "sites"));
            Directory.CreateDirectory(stateDir);
            var workspaces = ImmutableArray.Create(new WorkspaceBinding { Name = DeployPipelineBuilder.StateWorkspace, Source = new VolumeSource { HostPath = stateDir } });
            var runOptions = new RunCommand.RunOptions([], [], [], json, null, null, Math.Max(1, parse.GetValue(parallel)), false, null);
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
        var image = new Option<string>("--image") { Description = "image with bash, helm and kubectl for the steps", DefaultValueFactory = _ => DeployPipelineOptions.DefaultImage };
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
