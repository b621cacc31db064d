using System.CommandLine;
using Mothership.Cloud.Planning;
using Mothership.Cloud.Values;

namespace Mothership.Cli.Commands.Cloud;

/// <summary><c>mship render</c>: a service's merged values, each with the file and line it comes from.</summary>
internal static class RenderCommand
{
    public static Command Create()
    {
        var site = new SiteArguments();
        var service = new Option<string>("--service") { Description = "the service whose values to show", Required = true };
        var plain = new Option<bool>("--plain") { Description = "values only, without the source comments (what helm is given)" };
        var command = new Command("render", "Show a service's merged values (global → environment → region → site), each with the file and line it comes from");
        site.AddTo(command, revisions: false);
        command.Options.Add(service);
        command.Options.Add(plain);
        command.SetAction(parse =>
        {
            var request = site.Request(parse, revisions: false);
            using var planned = SiteArguments.Plan(request, out var exit, quiet: true);
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
}
