using System.Collections.Immutable;
using Mothership.Cloud.Changes;
using Mothership.Cloud.Charts;
using Mothership.Cloud.Sites;
using Mothership.Cloud.Sources;
using Mothership.Cloud.Values;
using Mothership.Model.Diagnostics;

namespace Mothership.Cloud.Planning;

/// <summary>What <c>mship plan / render / deploy</c> are asked: a site of a repository, optionally between two revisions.</summary>
public sealed record PlanRequest
{
    /// <summary>The site repository's folder (may sit inside a larger git repository).</summary>
    public required string Repository { get; init; }

    public required string Site { get; init; }

    /// <summary>Base revision; without it every service is deployed.</summary>
    public string? From { get; init; }

    /// <summary>Revision to plan; without it the files on disk.</summary>
    public string? To { get; init; }

    /// <summary>Folder of unpacked repository charts (<c>&lt;dir&gt;/&lt;chart&gt;/Chart.yaml</c>).</summary>
    public string? Charts { get; init; }
}

/// <summary>One site read as of one revision, with each enabled service's chart and merged values.</summary>
public sealed record LoadedSite
{
    public required SiteRepository Repository { get; init; }

    public required IRepositoryFiles Files { get; init; }

    public required ImmutableDictionary<string, ChartInfo> Charts { get; init; }

    public required ImmutableDictionary<string, RenderedValues> Values { get; init; }
}

/// <summary>A plan and the site it was made from; disposing it closes the git repository read.</summary>
public sealed record PlannedSite(SitePlan Plan, LoadedSite Site) : IDisposable
{
    internal IDisposable? Owner { get; init; }

    public void Dispose() => Owner?.Dispose();
}

/// <summary>
/// The shell around <see cref="SitePlanner"/>: reads the site repository (working tree or git
/// revisions), its charts and values, detects changes, then plans. User mistakes become
/// diagnostics; an unreadable repository or revision a <see cref="SiteSourceException"/>.
/// </summary>
public static class SitePlanning
{
    public static PlannedSite? Plan(PlanRequest request, ChartStore charts, DiagnosticBag diagnostics)
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

    private static PlannedSite? Plan(PlanRequest request, IRepositoryFiles toFiles, ChartStore charts, DiagnosticBag diagnostics)
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

        var plan = PlanLoaded(site, changes, request.To ?? toFiles.Revision);
        diagnostics.AddRange(plan.Diagnostics);
        return new PlannedSite(plan, site);
    }

    /// <summary>Plans a loaded site: each chart's waits are read from its defaults merged with the site's values.</summary>
    public static SitePlan PlanLoaded(LoadedSite site, ChangeSet? changes, string to)
    {
        var serviceCharts = site.Repository.Services.ToDictionary(
            s => s.Name,
            s => new ServiceChart(site.Charts[s.Name].Name, ChartDependencyReader.Read((ValueMap)ValueMap.Merge(site.Charts[s.Name].Values, site.Values[s.Name].Values))),
            StringComparer.Ordinal);
        return SitePlanner.Plan(site.Repository, serviceCharts, changes, to);
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
    public static string Display(PlanRequest request, string? revision)
    {
        var root = Path.GetRelativePath(Environment.CurrentDirectory, Path.GetFullPath(request.Repository));
        return revision is null ? root : $"{revision}:{root}";
    }
}
