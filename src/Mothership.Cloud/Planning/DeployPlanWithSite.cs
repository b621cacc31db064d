namespace Mothership.Cloud.Planning;

/// <summary>
/// A deploy plan with the site it was made from (charts, values and files: what a deploy pipeline
/// is built from), as <see cref="RepositoryPlanner"/> returns them; disposing it closes the git repository read.
/// </summary>
public sealed record DeployPlanWithSite(DeployPlan Plan, LoadedSite Site) : IDisposable
{
    internal IDisposable? Owner { get; init; }

    public void Dispose() => Owner?.Dispose();
}
