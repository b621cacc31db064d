using System.Text;
using Mothership.Engine.Execution;
using Mothership.Model.Tekton;

namespace Mothership.Executors.Local.Steps;

/// <summary>
/// The program and arguments of a step or sidecar.
/// <list type="bullet">
/// <item>A <c>script</c> is written to the scripts directory. Without a shebang it runs as
/// <c>bash -e FILE</c>: Tekton prepends <c>#!/bin/sh</c> and <c>set -e</c>, and bash runs sh
/// scripts while giving bash scripts what they expect.</item>
/// <item>A script whose shebang names a POSIX shell (<c>#!/bin/sh</c>, <c>#!/bin/ash</c>,
/// <c>#!/usr/bin/env sh</c>, <c>#!/usr/bin/env ash</c>, <c>#!/bin/busybox sh</c>) runs as
/// <c>bash [FLAGS] FILE</c>, with the shebang's own flags and no <c>-e</c> added: such scripts are
/// written for the images' busybox/alpine sh, which accepts bash-isms (<c>[ a == b ]</c>) that
/// Debian's dash rejects, and the host may have no <c>ash</c> at all.</item>
/// <item>Any other shebang: the file is made executable and run directly.</item>
/// <item><c>args</c> follow the script, as in Tekton.</item>
/// <item>Without a script: <c>command</c> then <c>args</c>.</item>
/// <item>With only <c>args</c>, Tekton would run the image's entrypoint, which a local run cannot
/// know. When <c>args[0]</c> starts with <c>-</c> (<c>["-c", "echo hello"]</c>) the entrypoint
/// is taken to be a shell's, and <c>/bin/sh</c> runs the args; otherwise <c>args[0]</c> is the
/// program and the rest its arguments.</item>
/// </list>
/// </summary>
internal static class StepCommand
{
    private static readonly HashSet<string> PosixShells = new(StringComparer.Ordinal)
    {
        "/bin/sh", "/bin/ash", "/usr/bin/sh", "/usr/bin/ash", "/bin/busybox", "/usr/bin/busybox",
    };

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
            if (!script.StartsWith("#!", StringComparison.Ordinal))
            {
                return ("bash", ["-e", viewFile, .. step.Args]);
            }

            if (ShellFlags(script) is { } flags)
            {
                return ("bash", [.. flags, viewFile, .. step.Args]);
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(hostFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                    UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            }

            return (viewFile, [.. step.Args]);
        }

        if (!step.Command.IsDefaultOrEmpty)
        {
            return (step.Command[0], [.. step.Command.Skip(1), .. step.Args]);
        }

        if (!step.Args.IsDefaultOrEmpty)
        {
            return step.Args[0].StartsWith('-')
                ? ("/bin/sh", [.. step.Args])
                : (step.Args[0], [.. step.Args.Skip(1)]);
        }

        throw new AttemptFailure($"\"{container}\" has no script, command or args: a local run cannot use an image's entrypoint");
    }

    /// <summary>
    /// The shebang's flags when it names sh or ash (directly, through <c>env</c> or through
    /// busybox); null for any other interpreter.
    /// </summary>
    internal static string[]? ShellFlags(string script)
    {
        var end = script.IndexOf('\n', StringComparison.Ordinal);
        var line = (end < 0 ? script[2..] : script[2..end]).Trim();
        var words = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            return null;
        }

        var (program, rest) = (words[0], words[1..]);
        if (program is "/usr/bin/env" or "/bin/env" && rest.Length > 0)
        {
            (program, rest) = (rest[0], rest[1..]);
        }

        if (program.EndsWith("busybox", StringComparison.Ordinal) && PosixShells.Contains(program) && rest.Length > 0)
        {
            (program, rest) = (rest[0], rest[1..]);
        }

        var isShell = program is "sh" or "ash" || (PosixShells.Contains(program) && !program.EndsWith("busybox", StringComparison.Ordinal));
        return isShell ? rest : null;
    }
}
