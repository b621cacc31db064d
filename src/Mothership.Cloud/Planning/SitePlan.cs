using System.Collections.Immutable;
using Mothership.Model.Diagnostics;

namespace Mothership.Cloud.Planning;

/// <summary>
/// One site's result in <see cref="SitePlans"/>: its plan (null when the site cannot be read) and
/// what planning it reported, exactly as planning that site alone would.
/// </summary>
public sealed record SitePlan(string Site, DeployPlanWithSite? Planned, ImmutableArray<Diagnostic> Diagnostics)
{
    /// <summary>Whether the site has an error: no plan, or a plan that must not be deployed (a cycle <c>cloud.yaml</c> creates).</summary>
    public bool HasErrors => Planned is null || Diagnostics.Any(d => d.Severity == Severity.Error);
}
