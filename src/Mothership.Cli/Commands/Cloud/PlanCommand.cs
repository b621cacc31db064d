using System.CommandLine;
using Mothership.Cloud.Charts;
using Mothership.Cloud.Planning;
using Mothership.Cloud.Sources;
using Mothership.Model.Diagnostics;

namespace Mothership.Cli.Commands.Cloud;

/// <summary>
/// <c>mship plan</c>: sites' services, their deploy order (waves) and what changed between two
/// revisions. One <c>--site</c> prints that site's plan; several, or <c>--environment</c>, plan
/// them all in one pass (<see cref="RepositoryPlanner.PlanSites"/>) and print every site's plan.
/// </summary>
internal static class PlanCommand
{
    public static Command Create()
    {
        var arguments = new SiteArguments();
        var sites = new Option<string[]>("--site") { Description = "a site (sites/<site>/site.yaml); repeat it for several", Arity = ArgumentArity.ZeroOrMore };
        var environment = new Option<string?>("--environment") { Description = "every site of this environment (dev, stage or prod)" };
        environment.AcceptOnlyFromAmong("dev", "stage", "prod");
        var output = new Option<string>("--output", "-o") { Description = "text, json, mermaid or dot (mermaid and dot for one site)", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json", "mermaid", "dot");
        var command = new Command("plan", "Show sites' services, their deploy order (waves) and what changed between two revisions");
        arguments.AddTo(command, revisions: true, site: false);
        command.Options.Add(sites);
        command.Options.Add(environment);
        command.Options.Add(output);
        command.SetAction(parse =>
        {
            var named = parse.GetValue(sites) ?? [];
            var env = parse.GetValue(environment);
            var format = parse.GetValue(output) ?? "text";
            var one = named.Length == 1 && env is null;
            if (named.Length == 0 && env is null)
            {
                Console.Error.WriteLine("mship plan: give --site SITE (repeatable) or --environment dev|stage|prod");
                return ExitCodes.Usage;
            }

            if (!one && format is "mermaid" or "dot")
            {
                Console.Error.WriteLine($"mship plan: -o {format} draws one site; use -o text or json for several");
                return ExitCodes.Usage;
            }

            var request = new SitePlansRequest
            {
                Repository = parse.GetValue(arguments.Repo) ?? ".",
                Sites = [.. named],
                Environment = env,
                From = parse.GetValue(arguments.From),
                To = parse.GetValue(arguments.To),
            };
            SitePlans plans;
            try
            {
                plans = RepositoryPlanner.PlanSites(request, new ChartStore(arguments.ChartFolder(parse)));
            }
            catch (SiteSourceException e)
            {
                Console.Error.WriteLine($"mship: {e.Message}");
                return ExitCodes.Usage;
            }

            using (plans)
            {
                // A problem in a shared file (cloud.yaml, a region's values) is reported by every site: print it once.
                var all = new DiagnosticBag();
                all.AddRange(plans.Sites.SelectMany(s => s.Diagnostics));
                foreach (var d in all.Sorted())
                {
                    Console.Error.WriteLine(d.ToString());
                }

                if (plans.Sites.IsEmpty)
                {
                    Console.Error.WriteLine($"mship plan: no site of environment '{env}' in {request.Repository} (sites/<site>/site.yaml with spec.environment: {env})");
                    return ExitCodes.Usage;
                }

                if (plans.HasErrors)
                {
                    return ExitCodes.Usage;
                }

                var planned = plans.Sites.Select(s => s.Planned!.Plan).ToList();
                Console.Write(format switch
                {
                    "json" when one => PlanFormats.JsonText(planned[0]) + Environment.NewLine,
                    "json" => PlanFormats.JsonText(planned) + Environment.NewLine,
                    "mermaid" => PlanFormats.Mermaid(planned[0]),
                    "dot" => PlanFormats.Dot(planned[0]),
                    _ => string.Join(Environment.NewLine, planned.Select(PlanFormats.Text)),
                });
                return ExitCodes.Success;
            }
        });
        return command;
    }
}
