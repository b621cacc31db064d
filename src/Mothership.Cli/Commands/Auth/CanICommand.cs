using System.Collections.Immutable;
using System.CommandLine;
using Mothership.Cli.Commands.Client;
using Mothership.Cli.Output;
using Mothership.Cloud.Access;
using Mothership.Model.Diagnostics;

namespace Mothership.Cli.Commands.Auth;

/// <summary>
/// <c>mship auth can-i ACTION RESOURCE OBJECT --policy FILE [--as USER] [--group G]...</c>, as
/// <c>kubectl auth can-i</c>: prints <c>yes</c> (exit 0) or <c>no</c> (exit 1), and on stderr the
/// line that decided; a bad policy file is <c>FILE:LINE:COL</c> and exit 2. The question is built
/// first and answered by one source: the policy files, or with <c>--server URL</c> the server's
/// policy in force (<c>GET /api/v1/auth/can-i</c>, about the <c>--token</c>'s caller, or with
/// <c>--as</c> about someone else, which only an admin may ask), printing the same way.
/// </summary>
internal static class CanICommand
{
    public static Command Create()
    {
        var action = new Argument<string>("ACTION") { Description = $"one of {string.Join(", ", AccessActions.All)}" };
        action.AcceptOnlyFromAmong([.. AccessActions.All]);
        var resource = new Argument<string>("RESOURCE") { Description = $"one of {string.Join(", ", AccessResources.All)}" };
        resource.AcceptOnlyFromAmong([.. AccessResources.All]);
        var obj = new Argument<string>("OBJECT") { Description = "ENVIRONMENT/SITE (prod/prod-kr1), or -/NAME for what no site owns (-/settings, -/RUN)" };
        var policy = new Option<string[]>("--policy")
        {
            Description = "an access policy file (Argo CD's RBAC CSV); repeat it to merge several, as the server merges its own with the site repository's",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
            HelpName = "FILE",
        };
        var user = new Option<string?>("--as") { Description = "the user to ask for", HelpName = "USER" };
        var groups = new Option<string[]>("--group") { Description = "a group of that user (repeatable)", Arity = ArgumentArity.ZeroOrMore, HelpName = "GROUP" };
        var defaultRole = new Option<string?>("--default-role") { Description = "a role every user has, as Argo CD's policy.default (role:NAME; default none)", HelpName = "ROLE" };
        var server = new Option<string?>("--server") { Description = "ask this server's policy in force instead of files (about the --token's caller, or --as USER as an admin)", HelpName = "URL" };
        var token = new Option<string?>("--token")
        {
            Description = "bearer token for --server (default $MSHIP_TOKEN)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("MSHIP_TOKEN"),
        };
        var command = new Command("can-i", "Whether a user may do ACTION on RESOURCE OBJECT: prints yes (exit 0) or no (exit 1), and the deciding line on stderr")
        {
            action, resource, obj,
        };
        command.Options.Add(policy);
        command.Options.Add(user);
        command.Options.Add(groups);
        command.Options.Add(defaultRole);
        command.Options.Add(server);
        command.Options.Add(token);
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(server) is { } url)
            {
                if ((parse.GetValue(policy) ?? []).Length > 0 || parse.GetValue(defaultRole) is not null)
                {
                    Console.Error.WriteLine("mship auth can-i: --server asks the server's policy: give it without --policy and --default-role");
                    return ExitCodes.Usage;
                }

                return await AskServerAsync(url, parse.GetValue(token), parse.GetValue(user), parse.GetValue(groups) ?? [], parse.GetValue(action)!, parse.GetValue(resource)!,
                    parse.GetValue(obj)!, ct).ConfigureAwait(false);
            }

            var question = Question(parse.GetValue(user), parse.GetValue(groups) ?? [], parse.GetValue(action)!, parse.GetValue(resource)!, parse.GetValue(obj)!);
            if (question is null)
            {
                return ExitCodes.Usage;
            }

            var files = parse.GetValue(policy) ?? [];
            if (files.Length == 0)
            {
                Console.Error.WriteLine("mship auth can-i: give --policy FILE (repeatable): the access policy to ask");
                return ExitCodes.Usage;
            }

            var decision = AnswerFromFiles(question, files, parse.GetValue(defaultRole));
            return decision is null ? ExitCodes.Usage : Print(decision);
        });
        return command;
    }

    /// <summary>The server's answer, printed as the offline one.</summary>
    private static Task<int> AskServerAsync(string url, string? token, string? user, string[] groups, string action, string resource, string obj, CancellationToken ct)
    {
        if (CheckObject(obj) is false)
        {
            return Task.FromResult(ExitCodes.Usage);
        }

        var query = $"api/v1/auth/can-i?action={Uri.EscapeDataString(action)}&resource={Uri.EscapeDataString(resource)}&object={Uri.EscapeDataString(obj)}";
        if (!string.IsNullOrWhiteSpace(user))
        {
            query += $"&as={Uri.EscapeDataString(user.Trim())}" + string.Concat(groups.Select(g => $"&group={Uri.EscapeDataString(g)}"));
        }

        return ClientCommand.RunAsync(url, token, async client =>
        {
            var answer = await client.GetAsync(query, ct).ConfigureAwait(false);
            var allowed = (bool?)answer["allowed"] == true;
            Console.Out.WriteLine(allowed ? "yes" : "no");
            Console.Error.WriteLine(TerminalText.Escape((string?)answer["reason"]));
            return allowed ? ExitCodes.Success : ExitCodes.RunFailed;
        });
    }

    /// <summary>Whether <paramref name="obj"/> is ENVIRONMENT/SITE or -/NAME (after saying why not).</summary>
    private static bool CheckObject(string obj)
    {
        var slash = obj.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == obj.Length - 1 || obj.Any(char.IsControl))
        {
            Console.Error.WriteLine($"mship auth can-i: OBJECT: '{TerminalText.Escape(obj)}' is not ENVIRONMENT/SITE (prod/prod-kr1) or -/NAME (-/settings)");
            return false;
        }

        return true;
    }

    /// <summary>The question, or null (after saying why) when it cannot be asked.</summary>
    private static CanIQuestion? Question(string? user, string[] groups, string action, string resource, string obj)
    {
        if (string.IsNullOrWhiteSpace(user) && groups.Length == 0)
        {
            Console.Error.WriteLine("mship auth can-i: give --as USER and/or --group GROUP: whose permission to check");
            return null;
        }

        if (!CheckObject(obj))
        {
            return null;
        }

        return new CanIQuestion(new AccessSubject(user?.Trim() ?? "", [.. groups]), action, resource, obj);
    }

    /// <summary>The answer of the policy in <paramref name="files"/>, or null (after printing every mistake) when the policy is unusable.</summary>
    private static AccessDecision? AnswerFromFiles(CanIQuestion question, string[] files, string? defaultRole)
    {
        if (!string.IsNullOrEmpty(defaultRole) && !AccessRoles.IsRoleName(defaultRole))
        {
            Console.Error.WriteLine($"mship auth can-i: --default-role: '{TerminalText.Escape(defaultRole)}' is not role:NAME (role:readonly, role:developer)");
            return null;
        }

        var bag = new DiagnosticBag();
        ImmutableArray<PolicyFile> sources = [.. files.Select(f => PolicyCsvParser.ReadFile(f, bag))];
        if (bag.HasErrors)
        {
            InputFiles.Print(bag, Console.Error);
            return null;
        }

        return AccessPolicy.Create(sources, defaultRole).Decide(question.Subject, question.Resource, question.Action, question.Object);
    }

    private static int Print(AccessDecision decision)
    {
        Console.Out.WriteLine(decision.Allowed ? "yes" : "no");
        Console.Error.WriteLine(TerminalText.Escape(decision.Reason));
        return decision.Allowed ? ExitCodes.Success : ExitCodes.RunFailed;
    }

    /// <summary>What is asked: whether <see cref="Subject"/> may do <see cref="Action"/> on <see cref="Resource"/> <see cref="Object"/>.</summary>
    private sealed record CanIQuestion(AccessSubject Subject, string Action, string Resource, string Object);
}
