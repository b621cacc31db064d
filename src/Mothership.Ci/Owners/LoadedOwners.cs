using System.Collections.Immutable;
using Mothership.Model.Diagnostics;

namespace Mothership.Ci.Owners;

/// <summary>The OWNERS files a change needs, and what was wrong with those that could not be read.</summary>
/// <param name="Owners">The owners from the files that could be read.</param>
/// <param name="Diagnostics">Problems in OWNERS and OWNERS_ALIASES files, at <c>FILE:LINE:COL</c>.</param>
public sealed record LoadedOwners(RepoOwners Owners, ImmutableArray<Diagnostic> Diagnostics);
