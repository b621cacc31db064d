using System.CommandLine;
using Mothership.Cloud.Deploy;

namespace Mothership.Cli.Commands.Cloud;

/// <summary><c>mship export --format tekton</c>: a site's deploy pipeline as plain Tekton YAML, for a real Tekton in the site's cluster.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var site = new SiteArguments();
        var format = new Option<string>("--format") { Description = "tekton: Task, Pipeline, PipelineRun (and the state PersistentVolumeClaim)", DefaultValueFactory = _ => "tekton" };
        format.AcceptOnlyFromAmong("tekton");
        var dryRun = new Option<bool>("--dry-run") { Description = "the exported PipelineRun diffs values only" };
        var image = DeployPipelineYaml.ImageOption("");
        var command = new Command("export", "Print a site's deploy pipeline as plain Tekton YAML (kubectl create -f)");
        site.AddTo(command, revisions: true);
        command.Options.Add(format);
        command.Options.Add(dryRun);
        command.Options.Add(image);
        command.SetAction(parse =>
        {
            using var planned = SiteArguments.Plan(site.Request(parse, revisions: true), out var exit, quiet: true);
            if (planned is null)
            {
                return exit;
            }

            if (DeployPipelineYaml.Generate(() => DeployPipelineBuilder.Yaml(planned, new DeployPipelineOptions { DryRun = parse.GetValue(dryRun), Image = parse.GetValue(image) ?? DeployPipelineOptions.DefaultImage, ForKubernetes = true })) is not { } yaml)
            {
                return ExitCodes.Usage;
            }

            DeployPipelineYaml.Load(yaml, "export.yaml");
            Console.Write(yaml);
            return ExitCodes.Success;
        });
        return command;
    }
}
