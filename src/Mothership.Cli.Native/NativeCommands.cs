using System.Reflection;

namespace Mothership.Cli;

/// <summary>Which command lines the native build runs itself; the rest go to the ReadyToRun build.</summary>
internal static class NativeCommands
{
    /// <summary>The commands compiled ahead of time: those a script or a benchmark calls many times, where start-up is most of the cost.</summary>
    private static readonly HashSet<string> Verbs = new(StringComparer.Ordinal) { "run", "validate", "convert" };

    /// <summary>
    /// Flags that take a run to Kubernetes (KubernetesClient is not compiled here, see RunCommand),
    /// and help, whose text must list every flag of the full CLI.
    /// </summary>
    private static readonly string[] Elsewhere =
        ["--executor", "--kubeconfig", "--kube-context", "--namespace", "--results-from", "--max-result-size", "--registry", "--create-objects", "--help", "-h", "-?", "/h", "/?"];

    /// <summary>What <c>mship --version</c> prints: the version, and that this is the native build and what it hands over.</summary>
    public static string Version =>
        $"{typeof(NativeCommands).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion} "
        + "native (AOT): run, validate and convert; every other command (server, ci, deploy, plan, the API client…) "
        + $"and run --executor kubernetes run on the ReadyToRun build ({JitFallback.RelativePath})";

    /// <summary>Whether this build runs <paramref name="args"/> itself.</summary>
    public static bool Handles(IReadOnlyList<string> args)
    {
        if (args is ["--version"])
        {
            return true;
        }

        if (args.Count == 0 || !Verbs.Contains(args[0]))
        {
            return false;
        }

        foreach (var arg in args)
        {
            var name = arg.Split('=', 2)[0];
            if (Array.IndexOf(Elsewhere, name) >= 0 && !(name == "--executor" && IsLocalExecutor(args, arg)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary><c>--executor local</c> (the default, written out) stays here.</summary>
    private static bool IsLocalExecutor(IReadOnlyList<string> args, string arg)
    {
        if (arg.StartsWith("--executor=", StringComparison.Ordinal))
        {
            return arg == "--executor=local";
        }

        var i = args.ToList().IndexOf(arg);
        return i + 1 < args.Count && args[i + 1] == "local";
    }
}
