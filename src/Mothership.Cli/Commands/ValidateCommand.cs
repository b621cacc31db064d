using System.CommandLine;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Validation;

namespace Mothership.Cli.Commands;

/// <summary><c>mship validate -f FILE... [-R]</c>: every problem as <c>FILE:LINE:COL: error: MESSAGE</c>, exit 2 if any.</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var files = new Option<string[]>("--file", "-f")
        {
            Description = "YAML files (or directories of them) holding Tekton v1 or v1beta1 resources",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var recursive = InputFiles.RecursiveOption();
        var command = new Command("validate", "Check Tekton YAML and report every problem with file, line and column") { files, recursive };
        command.SetAction(parse =>
        {
            var bag = new DiagnosticBag();
            var paths = InputFiles.Expand(parse.GetValue(files) ?? [], bag, parse.GetValue(recursive));
            var resources = ResourceLoader.LoadFiles(paths, bag);
            ResourceValidator.Validate(resources, bag);
            InputFiles.Print(bag, Console.Error);
            if (bag.HasErrors)
            {
                return ExitCodes.Usage;
            }

            Console.WriteLine($"{paths.Count} file(s), {resources.All.Length} resource(s): valid");
            return ExitCodes.Success;
        });
        return command;
    }
}
