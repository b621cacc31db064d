using System.CommandLine;

namespace Mothership.Cli.Commands.Auth;

/// <summary>
/// <c>mship auth …</c>: who the server takes you for, your personal tokens, and what an access
/// policy lets a user do (README, "Identities" and "Permissions"). Each subcommand lives in a file
/// of its own and is listed here.
/// </summary>
internal static class AuthCommand
{
    public static Command Create() => new("auth", "Identities and permissions: who you are, personal API tokens, what a policy allows")
    {
        AuthWhoAmICommand.Create(),
        AuthTokenCommand.Create(),
        CanICommand.Create(),
    };
}
