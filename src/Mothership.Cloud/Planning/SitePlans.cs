using System.Collections.Immutable;

namespace Mothership.Cloud.Planning;

/// <summary>
/// The plans of many sites between the same two states of a repository, as
/// <see cref="RepositoryPlanner.PlanSites"/> returns them; disposing it closes the git
/// repositories read (the plans' <see cref="LoadedSite.Files"/> read from them).
/// </summary>
public sealed class SitePlans : IDisposable
{
    private readonly ImmutableArray<IDisposable> _owners;

    internal SitePlans(ImmutableArray<SitePlan> sites, ImmutableArray<IDisposable> owners)
    {
        Sites = sites;
        _owners = owners;
    }

    /// <summary>One entry per site, in the order asked.</summary>
    public ImmutableArray<SitePlan> Sites { get; }

    /// <summary>Whether any site has an error.</summary>
    public bool HasErrors => Sites.Any(s => s.HasErrors);

    public void Dispose()
    {
        foreach (var owner in _owners)
        {
            owner.Dispose();
        }
    }
}
