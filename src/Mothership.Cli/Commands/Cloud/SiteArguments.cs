using System.CommandLine;
using Mothership.Cloud.Charts;
using Mothership.Cloud.Planning;
using Mothership.Cloud.Sources;
using Mothership.Model.Diagnostics;

namespace Mothership.Cli.Commands.Cloud;

/// <summary>The options every cloud command shares (<c>--repo</c>, <c>--site</c>, <c>--charts</c>, <c>--from</c>, <c>--to</c>), and the plan they ask for.</summary>
internal sealed class SiteArguments
{
    public Option<string> Repo { get; } = new("--repo") { Description = "the site repository (cloud.yaml at its root)", DefaultValueFactory = _ => "." };

    public Option<string> Site { get; } = new("--site") { Description = "the site (sites/<site>/site.yaml)", Required = true };

    public Option<string?> Charts { get; } = new("--charts") { Description = "folder of unpacked repository charts, <dir>/<chart>/Chart.yaml, e.g. an openstack-helm checkout (default $MOTHERSHIP_CHARTS)" };

    public Option<string?> From { get; } = new("--from") { Description = "base git revision: only services whose inputs changed since it run" };

    public Option<string?> To { get; } = new("--to") { Description = "git revision to plan (default: the files on disk)" };

    public void AddTo(Command command, bool revisions, bool site = true)
    {
        command.Options.Add(Repo);
        if (site)
        {
            command.Options.Add(Site);
        }

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
        Charts = ChartFolder(parse),
    };

    /// <summary><c>--charts</c>, else <c>$MOTHERSHIP_CHARTS</c>.</summary>
    public string? ChartFolder(ParseResult parse) =>
        parse.GetValue(Charts) ?? (Environment.GetEnvironmentVariable("MOTHERSHIP_CHARTS") is { Length: > 0 } env ? env : null);

    /// <summary>Plans, printing diagnostics; null (with the exit code) when the input is unusable.</summary>
    public static DeployPlanWithSite? Plan(DeployPlanRequest request, out int exit, bool quiet = false)
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
