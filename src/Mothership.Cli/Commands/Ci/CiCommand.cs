using System.CommandLine;

namespace Mothership.Cli.Commands.Ci;

/// <summary><c>mship ci …</c>: the CI bot's jobs, on this machine.</summary>
internal static class CiCommand
{
    public static Command Create() => new("ci", "Prow-style CI jobs on this machine")
    {
        CiTestCommand.Create(),
    };
}
