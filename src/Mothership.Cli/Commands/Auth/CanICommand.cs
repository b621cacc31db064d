using System.Collections.Immutable;
using System.CommandLine;
using Mothership.Cli.Output;
using Mothership.Cloud.Access;
using Mothership.Model.Diagnostics;

namespace Mothership.Cli.Commands.Auth;

/// <summary>
/// <c>mship auth can-i ACTION RESOURCE OBJECT --policy FILE [--as USER] [--group G]...</c>, as
/// <c>kubectl auth can-i</c>: prints <c>yes</c> (exit 0) or <c>no</c> (exit 1), and on stderr the
/// line that decided; a bad policy file is <c>FILE:LINE:COL</c> and exit 2. The question is built
/// first and answered by one source — today the policy files; asking a server is meant to be a
/// second answerer chosen by <c>--server</c>, printing the same way.
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
        var command = new Command("can-i", "Whether a user may do ACTION on RESOURCE OBJECT: prints yes (exit 0) or no (exit 1), and the deciding line on stderr")
        {
            action, resource, obj,
        };
        command.Options.Add(policy);
        command.Options.Add(user);
        command.Options.Add(groups);
        command.Options.Add(defaultRole);
        command.SetAction(parse =>
        {
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

    /// <summary>The question, or null (after saying why) when it cannot be asked.</summary>
    private static CanIQuestion? Question(string? user, string[] groups, string action, string resource, string obj)
    {
        if (string.IsNullOrWhiteSpace(user) && groups.Length == 0)
        {
            Console.Error.WriteLine("mship auth can-i: give --as USER and/or --group GROUP: whose permission to check");
            return null;
        }

        var slash = obj.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == obj.Length - 1 || obj.Any(char.IsControl))
        {
            Console.Error.WriteLine($"mship auth can-i: OBJECT: '{TerminalText.Escape(obj)}' is not ENVIRONMENT/SITE (prod/prod-kr1) or -/NAME (-/settings)");
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
