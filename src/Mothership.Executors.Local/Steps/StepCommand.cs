using System.Text;
using Mothership.Model.Tekton;

namespace Mothership.Executors.Local.Steps;

/// <summary>
/// The program and arguments of a step or sidecar. A <c>script</c> is written to the scripts
/// directory: with a shebang it is made executable and run directly (the interpreter comes from
/// the shebang); without one it runs as <c>bash -e FILE</c> — Tekton prepends
/// <c>#!/bin/sh</c> and <c>set -e</c>, and bash runs sh scripts while giving bash scripts what
/// they expect. <c>args</c> follow the script, as in Tekton. Without a script, <c>command</c>
/// then <c>args</c>; with only <c>args</c>, the first one is the program (Tekton would use the
/// image's entrypoint, which a local run cannot know).
/// </summary>
internal static class StepCommand
{
    /// <summary>
    /// Writes the script (if any) to <paramref name="scriptsHostDir"/>, which the step sees as
    /// <paramref name="scriptsViewDir"/> (<c>/tekton/scripts</c> in the layout).
    /// </summary>
    public static (string File, List<string> Args) Resolve(Step step, string container, string scriptsHostDir, string scriptsViewDir)
    {
        if (step.Script is { } script)
        {
            var hostFile = Path.Combine(scriptsHostDir, container);
            var viewFile = scriptsViewDir.TrimEnd('/') + "/" + container;
            File.WriteAllText(hostFile, script, new UTF8Encoding(false));
            if (script.StartsWith("#!", StringComparison.Ordinal) && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(hostFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                    UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
                return (viewFile, [.. step.Args]);
            }

            return ("bash", ["-e", viewFile, .. step.Args]);
        }

        if (!step.Command.IsDefaultOrEmpty)
        {
            return (step.Command[0], [.. step.Command.Skip(1), .. step.Args]);
        }

        if (!step.Args.IsDefaultOrEmpty)
        {
            return (step.Args[0], [.. step.Args.Skip(1)]);
        }

        throw new TaskRunFailure($"\"{container}\" has no script, command or args: a local run cannot use an image's entrypoint");
    }
}
