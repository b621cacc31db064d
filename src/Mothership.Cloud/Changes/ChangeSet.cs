using System.Collections.Immutable;

namespace Mothership.Cloud.Changes;

/// <summary>What changed between two revisions, per service (see <see cref="ChangeDetector"/>).</summary>
public sealed record ChangeSet(string From, IReadOnlyDictionary<string, ImmutableArray<string>> Changes, ImmutableArray<string> Removed);
