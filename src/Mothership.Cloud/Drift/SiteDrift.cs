using System.Collections.Immutable;

namespace Mothership.Cloud.Drift;

/// <summary>
/// A site's drift at one revision: <see cref="DriftState.OutOfSync"/> when any service is,
/// else <see cref="DriftState.Unknown"/> when any service could not be checked, else in sync.
/// </summary>
public sealed record SiteDrift(string Site, string Revision, ImmutableArray<ServiceDrift> Services)
{
    public DriftState State =>
        Services.Any(s => s.State == DriftState.OutOfSync) ? DriftState.OutOfSync
        : Services.Any(s => s.State == DriftState.Unknown) ? DriftState.Unknown
        : DriftState.InSync;
}
