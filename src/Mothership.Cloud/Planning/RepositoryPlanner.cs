using System.Collections.Immutable;
using Mothership.Cloud.Changes;
using Mothership.Cloud.Charts;
using Mothership.Cloud.Sites;
using Mothership.Cloud.Sources;
using Mothership.Cloud.Values;
using Mothership.Model.Diagnostics;

namespace Mothership.Cloud.Planning;

/// <summary>
/// The shell around <see cref="DeployPlanner"/>: reads the site repository (working tree or git
/// revisions), its charts and values, detects changes, then plans. User mistakes become
/// diagnostics; an unreadable repository or revision a <see cref="SiteSourceException"/>.
/// </summary>
public static class RepositoryPlanner
{
    public static DeployPlanWithSite? Plan(DeployPlanRequest request, ChartStore charts, DiagnosticBag diagnostics)
    {
        var toGit = request.To is { } to ? GitRevisionFiles.Open(request.Repository, to) : null;
        try
        {
            if (Plan(request, toGit ?? (IRepositoryFiles)new WorkingTreeFiles(request.Repository), charts, diagnostics) is { } planned)
            {
                return planned with { Owner = toGit };
            }
        }
        catch
        {
            toGit?.Dispose();
            throw;
        }

        toGit?.Dispose();
        return null;
    }

    private static DeployPlanWithSite? Plan(DeployPlanRequest request, IRepositoryFiles toFiles, ChartStore charts, DiagnosticBag diagnostics)
    {
        var site = Load(toFiles, request.Site, Display(request, request.To), charts, diagnostics);
        if (site is null)
        {
            return null;
        }

        ChangeSet? changes = null;
        if (request.From is { } fromRevision)
        {
            using var fromGit = GitRevisionFiles.Open(request.Repository, fromRevision);
            var quiet = new DiagnosticBag();
            var before = SiteRepositoryLoader.Load(fromGit, request.Site, Display(request, fromRevision), quiet);
            if (before is null)
            {
                diagnostics.Warning(new SourceLocation(Display(request, fromRevision), 0, 0),
                    $"site '{request.Site}' cannot be read at {fromRevision} ({quiet.Sorted().FirstOrDefault(d => d.Severity == Severity.Error)?.Message ?? "unknown reason"}): every service counts as changed");
            }

            changes = ChangeDetector.Compare(fromRevision, fromGit, before, toFiles, site.Repository);
        }

        var plan = DeployPlanner.Plan(site, changes, request.To ?? toFiles.Revision);
        diagnostics.AddRange(plan.Diagnostics);
        return new DeployPlanWithSite(plan, site);
    }

    /// <summary>Reads a site with its charts and values; null with diagnostics when anything is wrong.</summary>
    public static LoadedSite? Load(IRepositoryFiles files, string site, string displayRoot, ChartStore charts, DiagnosticBag diagnostics)
    {
        var repository = SiteRepositoryLoader.Load(files, site, displayRoot, diagnostics);
        if (repository is null)
        {
            return null;
        }

        ValueLayers.Check(files, repository, displayRoot, diagnostics);
        var chartInfos = ImmutableDictionary.CreateBuilder<string, ChartInfo>(StringComparer.Ordinal);
        var values = ImmutableDictionary.CreateBuilder<string, RenderedValues>(StringComparer.Ordinal);
        foreach (var service in repository.Services)
        {
            if (charts.Find(files, service, displayRoot, diagnostics) is { } chart)
            {
                chartInfos[service.Name] = chart;
            }

            if (ValueLayers.Render(files, repository.Site, service, displayRoot, diagnostics) is { } rendered)
            {
                values[service.Name] = rendered;
            }
        }

        return diagnostics.HasErrors ? null : new LoadedSite
        {
            Repository = repository,
            Files = files,
            Charts = chartInfos.ToImmutable(),
            Values = values.ToImmutable(),
        };
    }

    /// <summary>How diagnostics name the repository's files: the folder as given, or git's <c>REV:path</c>.</summary>
    public static string Display(DeployPlanRequest request, string? revision)
    {
        var root = Path.GetRelativePath(Environment.CurrentDirectory, Path.GetFullPath(request.Repository));
        return revision is null ? root : $"{revision}:{root}";
    }
}
