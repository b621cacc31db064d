using System.Collections.Immutable;
using Mothership.Engine.Resolution.Remote;
using Mothership.Model.Diagnostics;
using Mothership.Model.Tekton;

namespace Mothership.Cli.Commands;

/// <summary>
/// Remote resolution for the command line (<c>mship run</c>, <c>mship validate --resolve</c>):
/// settings from the environment, the <c>cluster</c> resolver and credentials served by the files given.
/// </summary>
internal static class RemoteRefs
{
    private static readonly Lazy<RemoteResolution> Resolution = new(() =>
        RemoteResolution.Create(RemoteResolverOptions.FromEnvironment(), new HttpClient { Timeout = Timeout.InfiniteTimeSpan }, TimeProvider.System));

    /// <summary>
    /// <paramref name="run"/> with its remote refs resolved and inlined, and the resources it now
    /// needs; null when something could not be resolved (the problems go to <paramref name="bag"/>).
    /// A run without remote refs comes back as it is, without touching the network.
    /// </summary>
    public static async Task<ResolvedRun?> ResolveAsync(Resource run, ResourceSet resources, ImmutableArray<Param> overrides, DiagnosticBag bag)
    {
        if (!RemoteInliner.HasRemoteRefs(run, resources))
        {
            return new ResolvedRun(run, resources, ImmutableSortedDictionary<string, ResolvedDocument>.Empty);
        }

        var own = new DiagnosticBag();
        var resolved = await Resolution.Value.ResolveAsync(run, resources, overrides, new ResourceSetSecrets(resources), own).ConfigureAwait(false);
        bag.AddRange(own.Items);
        return own.HasErrors ? null : resolved;
    }
}
