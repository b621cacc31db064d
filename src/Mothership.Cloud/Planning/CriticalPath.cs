using System.Collections.Immutable;

namespace Mothership.Cloud.Planning;

/// <summary>The chain of services that bounds the deploy's duration.</summary>
public sealed record CriticalPath(ImmutableArray<string> Services, TimeSpan Duration);
