using System.CommandLine;

namespace Mothership.Cli.Commands.Auth;

/// <summary><c>mship auth …</c>: questions about permissions (README, "Permissions").</summary>
internal static class AuthCommand
{
    public static Command Create() => new("auth", "Permissions: ask what an access policy lets a user do")
    {
        CanICommand.Create(),
    };
}
