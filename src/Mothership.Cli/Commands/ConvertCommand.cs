using System.CommandLine;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;

namespace Mothership.Cli.Commands;

/// <summary>
/// <c>mship convert -f FILE --to v1</c>: tekton.dev/v1beta1 resources written as tekton.dev/v1 by
/// the rules the loader reads them with, comments kept — a migration help Tekton's CLI lacks.
/// Prints to stdout (documents of several files separated by <c>---</c>), or rewrites each file
/// with <c>--in-place</c>; nothing is written when any file cannot be converted.
/// </summary>
internal static class ConvertCommand
{
    public static Command Create()
    {
        var files = new Option<string[]>("--file", "-f")
        {
            Description = "YAML files (or directories of them) holding Tekton resources",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var to = new Option<string>("--to")
        {
            Description = "the apiVersion to write: v1 (tekton.dev/v1), the only one Tekton still moves to",
            DefaultValueFactory = _ => "v1",
        };
        to.AcceptOnlyFromAmong("v1", "tekton.dev/v1");
        var inPlace = new Option<bool>("--in-place", "-i") { Description = "rewrite each file instead of printing the result" };
        var recursive = InputFiles.RecursiveOption();
        var command = new Command("convert", "Rewrite Tekton v1beta1 YAML as v1, comments kept") { files, recursive, to, inPlace };
        command.SetAction(parse =>
        {
            var bag = new DiagnosticBag();
            var paths = InputFiles.Expand(parse.GetValue(files) ?? [], bag, parse.GetValue(recursive));
            var converted = new List<(string Path, string Text, bool Changed)>();
            foreach (var path in paths)
            {
                if (ResourceLoader.ReadFile(path, bag) is { } text && TektonConverter.ToV1(path, text, bag) is { } v1)
                {
                    converted.Add((path, v1, v1 != text));
                }
            }

            InputFiles.Print(bag, Console.Error);
            if (bag.HasErrors)
            {
                return ExitCodes.Usage;
            }

            if (!parse.GetValue(inPlace))
            {
                Console.Out.Write(string.Join("---\n", converted.Select(c => c.Text.StartsWith("---", StringComparison.Ordinal) ? c.Text[(c.Text.IndexOf('\n') + 1)..] : c.Text)));
                return ExitCodes.Success;
            }

            foreach (var (path, text, changed) in converted.Where(c => c.Changed))
            {
                File.WriteAllText(path, text);
                Console.Error.WriteLine($"{path}: converted to tekton.dev/v1");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
