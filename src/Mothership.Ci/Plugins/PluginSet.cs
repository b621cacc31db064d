using System.Collections.Immutable;

namespace Mothership.Ci.Plugins;

/// <summary>An entry of <c>plugins.yaml</c>'s <c>plugins</c> map: what an organisation or repository enables.</summary>
/// <param name="Plugins">The plugins' names.</param>
/// <param name="ExcludedRepos">For an organisation's entry, its repositories (names without the organisation) it does not apply to.</param>
public sealed record PluginSet(ImmutableArray<string> Plugins, ImmutableArray<string> ExcludedRepos);
