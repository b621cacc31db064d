using System.CommandLine;
using Mothership.Ci.Jobs;
using Mothership.Ci.Plugins;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;
using Mothership.Model.Validation;

namespace Mothership.Cli.Commands;

/// <summary>
/// <c>mship validate -f FILE... [-R]</c>: every problem as <c>FILE:LINE:COL: error: MESSAGE</c>, exit 2
/// if any. A file whose top-level keys are Prow's (<c>presubmits</c>, <c>periodics</c>, …) is read as a
/// Prow job config (<see cref="ProwConfig"/>; several such files as one, merged as Prow merges its
/// job config files); one whose keys are a <c>plugins.yaml</c>'s (<c>plugins</c>, <c>triggers</c>,
/// <c>approve</c>, …) as Prow's plugin config (<see cref="PluginsConfig"/>); every other file as
/// Tekton resources.
/// </summary>
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
        var resolve = new Option<bool>("--resolve")
        {
            Description = "Also fetch what the runs' remote refs (git, http, hub, cluster) name and validate it; without it only their params' shape is checked, offline",
        };
        var command = new Command("validate", "Check Tekton YAML and report every problem with file, line and column") { files, recursive, resolve };
        command.SetAction(async (parse, _) =>
        {
            var bag = new DiagnosticBag();
            var paths = InputFiles.Expand(parse.GetValue(files) ?? [], bag, parse.GetValue(recursive));
            var prowFiles = paths.Where(p => Holds(p, ProwConfig.IsProwConfig)).ToList();
            var pluginFiles = paths.Except(prowFiles).Where(p => Holds(p, PluginsConfig.IsPluginsConfig)).ToList();
            var resources = ResourceLoader.LoadFiles(paths.Except(prowFiles).Except(pluginFiles), bag);
            ResourceValidator.Validate(resources, bag);
            // Several Prow files are one config, as Prow merges config.yaml with its job config files.
            var jobs = prowFiles.Count == 0 ? 0 : ProwConfig.LoadFiles(prowFiles, bag)?.JobCount ?? 0;
            foreach (var file in pluginFiles)
            {
                if (ResourceLoader.ReadFile(file, bag) is { } text)
                {
                    PluginsConfig.Parse(file, text, bag);
                }
            }

            if (!bag.HasErrors && parse.GetValue(resolve))
            {
                bag = await ResolvedAsync(resources, bag).ConfigureAwait(false);
            }

            InputFiles.Print(bag, Console.Error);
            if (bag.HasErrors)
            {
                return ExitCodes.Usage;
            }

            Console.WriteLine($"{paths.Count} file(s), {resources.All.Length} resource(s)"
                + (prowFiles.Count == 0 ? "" : $", {jobs} Prow job(s)")
                + (pluginFiles.Count == 0 ? "" : $", {pluginFiles.Count} Prow plugins file(s)")
                + ": valid");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Whether <paramref name="path"/>'s text is what <paramref name="kind"/> recognises; a file that cannot be read is left to the Tekton loader, which reports it.</summary>
    private static bool Holds(string path, Func<string, bool> kind)
    {
        try
        {
            return kind(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// The problems of the files' runs once their remote refs are resolved: fetching, the fetched
    /// documents (at <c>git:URL@COMMIT:PATH:LINE:COL</c> and the like), and the runs with what was
    /// fetched inlined, validated like local content; with what <paramref name="loaded"/> already
    /// holds (the loader's warnings), each problem once.
    /// </summary>
    private static async Task<DiagnosticBag> ResolvedAsync(ResourceSet resources, DiagnosticBag loaded)
    {
        var problems = new DiagnosticBag();
        var all = resources.All.ToList();
        foreach (var run in resources.All.Where(r => r is PipelineRun or TaskRun))
        {
            if (await RemoteRefs.ResolveAsync(run, resources, [], problems).ConfigureAwait(false) is { } resolved)
            {
                all[all.IndexOf(run)] = resolved.Run;
                all.AddRange(resolved.Resources.All.Except(resources.All).Except(all));
            }
        }

        if (!problems.HasErrors)
        {
            ResourceValidator.Validate(new ResourceSet { All = [.. all] }, problems);
        }

        var distinct = new DiagnosticBag();
        distinct.AddRange(loaded.Items.Concat(problems.Items).Distinct());
        return distinct;
    }
}
