using System.CommandLine;
using Mothership.Cloud.Planning;

namespace Mothership.Cli.Commands.Cloud;

/// <summary><c>mship plan</c>: a site's services, their deploy order (waves) and what changed between two revisions.</summary>
internal static class PlanCommand
{
    public static Command Create()
    {
        var site = new SiteArguments();
        var output = new Option<string>("--output", "-o") { Description = "text, json, mermaid or dot", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json", "mermaid", "dot");
        var command = new Command("plan", "Show a site's services, their deploy order (waves) and what changed between two revisions");
        site.AddTo(command, revisions: true);
        command.Options.Add(output);
        command.SetAction(parse =>
        {
            using var planned = SiteArguments.Plan(site.Request(parse, revisions: true), out var exit);
            if (planned is null)
            {
                return exit;
            }

            Console.Write(parse.GetValue(output) switch
            {
                "json" => PlanFormats.JsonText(planned.Plan) + Environment.NewLine,
                "mermaid" => PlanFormats.Mermaid(planned.Plan),
                "dot" => PlanFormats.Dot(planned.Plan),
                _ => PlanFormats.Text(planned.Plan),
            });
            return ExitCodes.Success;
        });
        return command;
    }
}
