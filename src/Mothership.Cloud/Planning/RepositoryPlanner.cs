using System.Collections.Immutable;
using Mothership.Cloud.Changes;
using Mothership.Cloud.Charts;
using Mothership.Cloud.Sources;
using Mothership.Model.Diagnostics;

namespace Mothership.Cloud.Planning;

/// <summary>
/// The shell around <see cref="DeployPlanner"/>: reads the site repository (working tree or git
/// revisions), its charts and values, detects changes, then plans. One site or many go through
/// the same code (<see cref="PlanSites"/>): each revision is opened once and what sites share is
/// read once (<see cref="RevisionReader"/>). User mistakes become diagnostics; an unreadable
/// repository or revision a <see cref="SiteSourceException"/>.
/// </summary>
public static class RepositoryPlanner
{
    /// <summary>Plans one site: <see cref="PlanSites"/> for that site alone. Disposing the result closes the git repository read.</summary>
    public static DeployPlanWithSite? Plan(DeployPlanRequest request, ChartStore charts, DiagnosticBag diagnostics)
    {
        var plans = PlanSites(
            new SitePlansRequest { Repository = request.Repository, Sites = [request.Site], From = request.From, To = request.To },
            charts);
        var only = plans.Sites[0];
        diagnostics.AddRange(only.Diagnostics);
        if (only.Planned is null)
        {
            plans.Dispose();
            return null;
        }

        return only.Planned with { Owner = plans };
    }

    /// <summary>
    /// Plans every site asked between the same two states: <see cref="SitePlansRequest.From"/> and
    /// <see cref="SitePlansRequest.To"/> are opened once for all of them. Each site's plan and
    /// diagnostics are those <see cref="Plan"/> gives for it alone. Throws
    /// <see cref="SiteSourceException"/> when the repository or a revision cannot be read.
    /// </summary>
    public static SitePlans PlanSites(SitePlansRequest request, ChartStore charts)
    {
        var owners = ImmutableArray.CreateBuilder<IDisposable>();
        try
        {
            IRepositoryFiles toFiles = new WorkingTreeFiles(request.Repository);
            if (request.To is { } to)
            {
                var git = GitRevisionFiles.Open(request.Repository, to);
                owners.Add(git);
                toFiles = git;
            }

            RevisionReader? fromReader = null;
            if (request.From is { } from)
            {
                var git = GitRevisionFiles.Open(request.Repository, from);
                owners.Add(git);
                fromReader = new RevisionReader(git, Display(request.Repository, from), charts);
            }

            var toReader = new RevisionReader(toFiles, Display(request.Repository, request.To), charts);
            var results = Selected(request, toReader).Select(site => PlanSite(site, request, toReader, fromReader)).ToImmutableArray();
            return new SitePlans(results, owners.ToImmutable());
        }
        catch
        {
            foreach (var owner in owners)
            {
                owner.Dispose();
            }

            throw;
        }
    }

    /// <summary>The sites named, then those of the environment (by name), each once.</summary>
    private static IEnumerable<string> Selected(SitePlansRequest request, RevisionReader to)
    {
        var sites = new List<string>(request.Sites);
        if (request.Environment is { } environment)
        {
            foreach (var name in to.SiteNames())
            {
                var definition = to.Site(name, new DiagnosticBag());
                if (definition is null || definition.Environment == environment)
                {
                    sites.Add(name);
                }
            }
        }

        return sites.Distinct(StringComparer.Ordinal);
    }

    private static SitePlan PlanSite(string name, SitePlansRequest request, RevisionReader to, RevisionReader? from)
    {
        var diagnostics = new DiagnosticBag();
        var site = to.Load(name, diagnostics);
        if (site is null)
        {
            return new SitePlan(name, null, [.. diagnostics.Items]);
        }

        ChangeSet? changes = null;
        if (from is not null && request.From is { } fromRevision)
        {
            var quiet = new DiagnosticBag();
            var before = from.Repository(name, quiet);
            if (before is null)
            {
                diagnostics.Warning(new SourceLocation(from.DisplayRoot, 0, 0),
                    $"site '{name}' cannot be read at {fromRevision} ({quiet.Sorted().FirstOrDefault(d => d.Severity == Severity.Error)?.Message ?? "unknown reason"}): every service counts as changed");
            }

            changes = ChangeDetector.Compare(fromRevision, from.Files, before, to.Files, site.Repository);
        }

        var plan = DeployPlanner.Plan(site.Repository, to.ServiceCharts(site), changes, request.To ?? to.Files.Revision);
        diagnostics.AddRange(plan.Diagnostics);
        return new SitePlan(name, new DeployPlanWithSite(plan, site), [.. diagnostics.Items]);
    }

    /// <summary>Reads a site with its charts and values; null with diagnostics when anything is wrong.</summary>
    public static LoadedSite? Load(IRepositoryFiles files, string site, string displayRoot, ChartStore charts, DiagnosticBag diagnostics) =>
        new RevisionReader(files, displayRoot, charts).Load(site, diagnostics);

    /// <summary>How diagnostics name the repository's files: the folder as given, or git's <c>REV:path</c>.</summary>
    public static string Display(DeployPlanRequest request, string? revision) => Display(request.Repository, revision);

    /// <summary>How diagnostics name the files of <paramref name="repository"/>: the folder as given, or git's <c>REV:path</c>.</summary>
    public static string Display(string repository, string? revision)
    {
        var root = Path.GetRelativePath(Environment.CurrentDirectory, Path.GetFullPath(repository));
        return revision is null ? root : $"{revision}:{root}";
    }
}
