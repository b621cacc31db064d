using System.CommandLine;

namespace Mothership.Cli.Commands.Auth;

/// <summary>
/// <c>mship auth …</c>: who the server takes you for, and your personal tokens. Each subcommand
/// lives in a file of its own and is listed here.
/// </summary>
internal static class AuthCommand
{
    public static Command Create() => new("auth", "Identities on a Mothership server: who you are, personal API tokens")
    {
        AuthWhoAmICommand.Create(),
        AuthTokenCommand.Create(),
    };
}
