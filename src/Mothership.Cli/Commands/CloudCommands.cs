using System.CommandLine;
using Mothership.Cloud.Charts;
using Mothership.Cloud.Planning;
using Mothership.Cloud.Sources;
using Mothership.Cloud.Values;
using Mothership.Model.Diagnostics;

namespace Mothership.Cli.Commands;

/// <summary>
/// The cloud layer's commands: <c>mship plan</c>, <c>render</c>, <c>deploy</c> and <c>export</c>
/// over a site repository (ARCHITECTURE.md, "Site repository").
/// </summary>
internal static class CloudCommands
{
    /// <summary>The options every cloud command shares.</summary>
    internal sealed class SiteOptions
    {
        public Option<string> Repo { get; } = new("--repo") { Description = "the site repository (cloud.yaml at its root)", DefaultValueFactory = _ => "." };

        public Option<string> Site { get; } = new("--site") { Description = "the site (sites/<site>/site.yaml)", Required = true };

        public Option<string?> Charts { get; } = new("--charts") { Description = "folder of unpacked repository charts, <dir>/<chart>/Chart.yaml, e.g. an openstack-helm checkout (default $MOTHERSHIP_CHARTS)" };

        public Option<string?> From { get; } = new("--from") { Description = "base git revision: only services whose inputs changed since it run" };

        public Option<string?> To { get; } = new("--to") { Description = "git revision to plan (default: the files on disk)" };

        public void AddTo(Command command, bool revisions)
        {
            command.Options.Add(Repo);
            command.Options.Add(Site);
            command.Options.Add(Charts);
            if (revisions)
            {
                command.Options.Add(From);
            }

            command.Options.Add(To);
        }

        public DeployPlanRequest Request(ParseResult parse, bool revisions) => new()
        {
            Repository = parse.GetValue(Repo) ?? ".",
            Site = parse.GetValue(Site) ?? "",
            From = revisions ? parse.GetValue(From) : null,
            To = parse.GetValue(To),
            Charts = parse.GetValue(Charts) ?? (Environment.GetEnvironmentVariable("MOTHERSHIP_CHARTS") is { Length: > 0 } env ? env : null),
        };
    }

    public static IEnumerable<Command> Create() => [Plan(), Render(), DeployCommand.Create(), DeployCommand.CreateExport()];

    private static Command Plan()
    {
        var site = new SiteOptions();
        var output = new Option<string>("--output", "-o") { Description = "text, json, mermaid or dot", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json", "mermaid", "dot");
        var command = new Command("plan", "Show a site's services, their deploy order (waves) and what changed between two revisions");
        site.AddTo(command, revisions: true);
        command.Options.Add(output);
        command.SetAction(parse =>
        {
            using var planned = PlanSite(site.Request(parse, revisions: true), out var exit);
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

    private static Command Render()
    {
        var site = new SiteOptions();
        var service = new Option<string>("--service") { Description = "the service whose values to show", Required = true };
        var plain = new Option<bool>("--plain") { Description = "values only, without the source comments (what helm is given)" };
        var command = new Command("render", "Show a service's merged values (global → environment → region → site), each with the file and line it comes from");
        site.AddTo(command, revisions: false);
        command.Options.Add(service);
        command.Options.Add(plain);
        command.SetAction(parse =>
        {
            var request = site.Request(parse, revisions: false);
            using var planned = PlanSite(request, out var exit, quiet: true);
            if (planned is null)
            {
                return exit;
            }

            var name = parse.GetValue(service) ?? "";
            if (!planned.Site.Values.TryGetValue(name, out var rendered))
            {
                var enabled = string.Join(", ", planned.Site.Repository.Services.Select(s => s.Name));
                Console.Error.WriteLine($"{RepositoryPlanner.Display(request, request.To)}/sites/{request.Site}/site.yaml: error: service '{name}' is not enabled in site '{request.Site}' (enabled: {enabled})");
                return ExitCodes.Usage;
            }

            if (!parse.GetValue(plain))
            {
                var entry = planned.Site.Repository.Services.First(s => s.Name == name);
                var chart = planned.Site.Charts[name];
                Console.WriteLine($"# {name} in site {request.Site}: chart {chart.Name} {chart.Version}, release {entry.ReleaseName}, namespace {planned.Site.Repository.NamespaceOf(entry)}");
                Console.WriteLine(rendered.Layers.Count == 0
                    ? "# no values files: the chart's defaults apply"
                    : $"# layers, lowest first: {string.Join(", ", rendered.Layers.Select(l => l.Path))}");
            }

            Console.Write(ValuesRenderer.Render(rendered.Values, sources: !parse.GetValue(plain)));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Plans, printing diagnostics; null (with the exit code) when the input is unusable.</summary>
    internal static DeployPlanWithSite? PlanSite(DeployPlanRequest request, out int exit, bool quiet = false)
    {
        exit = ExitCodes.Success;
        var bag = new DiagnosticBag();
        DeployPlanWithSite? planned;
        try
        {
            planned = RepositoryPlanner.Plan(request, new ChartStore(request.Charts), bag);
        }
        catch (SiteSourceException e)
        {
            Console.Error.WriteLine($"mship: {e.Message}");
            exit = ExitCodes.Usage;
            return null;
        }

        foreach (var d in bag.Sorted().Where(d => !quiet || d.Severity == Severity.Error))
        {
            Console.Error.WriteLine(d.ToString());
        }

        if (planned is null || bag.HasErrors)
        {
            planned?.Dispose();
            exit = ExitCodes.Usage;
            return null;
        }

        return planned;
    }
}
