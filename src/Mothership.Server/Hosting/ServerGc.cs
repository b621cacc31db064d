using System.Runtime;
using Mothership.Executors.Local.Processes;

namespace Mothership.Server.Hosting;

/// <summary>
/// The server's gen0 budget. The server keeps the workstation GC with its background mode (why:
/// Mothership.Cli.csproj), whose gen0 budget is capped at 6 MB, so a large pipeline's load (its
/// YAML tree and records, ~28 MiB at 10,000 tasks) is promoted piecemeal through 28 gen0, 12 gen1
/// and 4 gen2 collections. With a 64 MiB budget it loads, validates and plans in half the time and
/// one-task runs cost the server 0.2–0.7 ms less CPU, for about 50 MB more resident memory; the
/// graph of a 10,000-task run is served as fast as before, during the run and after it
/// (bench/RESULTS.md, issue 19, "the server's gen0 budget").
/// <para>
/// The runtime reads this budget from the environment only (<c>DOTNET_GCgen0size</c>;
/// runtimeconfig.json's <c>System.GC.Gen0Size</c> and <c>GCgen0size</c> are ignored, measured), and
/// only as it starts. So <c>mship server</c> starts itself again, by <c>execve</c> (same process id),
/// with the variable set, unless the operator set it (<c>DOTNET_GCgen0size=0</c> keeps the
/// runtime's default) or chose the server GC.
/// </para>
/// </summary>
public static class ServerGc
{
    /// <summary>The variable the runtime reads the gen0 budget from.</summary>
    public const string Variable = "DOTNET_GCgen0size";

    /// <summary>64 MiB, in hexadecimal as the runtime reads it.</summary>
    public const string Gen0Budget = "4000000";

    /// <summary>The largest gen0 budget this process's GC allows, as the GC reports it (6 MiB by default here).</summary>
    public static long Gen0MaxBudget =>
        GC.GetConfigurationVariables().TryGetValue("GCGen0MaxBudget", out var value) ? Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) : 0;

    /// <summary>
    /// Whether this process must start again to get the server's budget: not when it already runs
    /// with one the operator chose (<c>DOTNET_</c> or the older <c>COMPlus_</c> prefix, any value), nor
    /// under the server GC (budgets sized per heap), nor off Linux.
    /// </summary>
    public static bool MustStartAgain(Func<string, string?> environment, bool serverGc, bool linux) =>
        linux && !serverGc && environment(Variable) is null && environment("COMPlus_GCgen0size") is null;

    /// <summary>
    /// Starts this process again with the server's gen0 budget when <see cref="MustStartAgain"/>
    /// says so: returns only when it need not, or when it could not (the reason said on stderr; the
    /// server then runs with the runtime's default budget). <paramref name="program"/> names it there.
    /// </summary>
    public static void StartAgainIfNeeded(string program)
    {
        if (!MustStartAgain(Environment.GetEnvironmentVariable, GCSettings.IsServerGC, OperatingSystem.IsLinux()))
        {
            return;
        }

        if (ProcessImage.ThisProgram() is not { } self)
        {
            return;
        }

        // The arguments as given (the first of GetCommandLineArgs is the entry assembly).
        var reason = ProcessImage.Replace(self[0], [.. self, .. Environment.GetCommandLineArgs().Skip(1)], new Dictionary<string, string>(StringComparer.Ordinal) { [Variable] = Gen0Budget });
        Console.Error.WriteLine($"{program}: could not start again with {Variable}={Gen0Budget} ({reason}); running with the runtime's default gen0 budget");
    }
}
