using System.Collections.Immutable;
using Mothership.Model.Diagnostics;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Resolution.Remote;

/// <summary>The run with its remote refs inlined, the StepActions inlining added, and what was fetched (to freeze it).</summary>
public sealed record ResolvedRun(Resource Run, ResourceSet Resources, ImmutableSortedDictionary<string, ResolvedDocument> Fetched);

/// <summary>
/// The remote resolution stage, called by <c>mship run</c>, <c>mship validate --resolve</c> and the
/// server's run intake: fetches what a run's remote refs name (each resolver behind
/// <see cref="IRemoteResolver"/>, one timeout per resolution), and has <see cref="RemoteInliner"/>
/// inline it, round after round until nothing is missing (a resolved Pipeline may reference
/// remote Tasks). Equal requests are fetched once per call; nothing is kept in memory between
/// calls, so a branch is asked of its remote for every run (the git resolver's commit cache on
/// disk is what saves the network).
/// </summary>
public sealed class RemoteResolution
{
    private const int MaxRounds = 10;
    private readonly ImmutableDictionary<string, IRemoteResolver> _resolvers;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;

    public RemoteResolution(IEnumerable<IRemoteResolver> resolvers, TimeSpan timeout, TimeProvider time)
    {
        _time = time;
        _resolvers = resolvers.ToImmutableDictionary(r => r.Name, StringComparer.Ordinal);
        _timeout = timeout;
    }

    /// <summary>The resolvers Mothership ships (git, http, hub, bundles), with <paramref name="options"/>.</summary>
    public static RemoteResolution Create(RemoteResolverOptions options, HttpClient http, TimeProvider time) => new(
        [new GitResolver(options), new HttpResolver(options, http), new HubResolver(options, http), new BundleResolver(options, http)], options.Timeout, time);

    /// <summary>
    /// Resolves every remote ref of <paramref name="run"/>; problems go to <paramref name="bag"/>
    /// (then the run comes back as far as it got). <paramref name="known"/> are documents already
    /// fetched (a stored run's frozen ones), used without fetching.
    /// </summary>
    public async Task<ResolvedRun> ResolveAsync(Resource run, ResourceSet resources, ImmutableArray<Param> overrides, IResolutionSecrets secrets,
        DiagnosticBag bag, IReadOnlyDictionary<string, ResolvedDocument>? known = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bag);
        var fetched = ImmutableSortedDictionary.CreateBuilder<string, ResolvedDocument>(StringComparer.Ordinal);
        var documents = new Dictionary<string, ResolvedDocument>(known ?? ImmutableDictionary<string, ResolvedDocument>.Empty, StringComparer.Ordinal);
        for (var round = 0; ; round++)
        {
            var roundBag = new DiagnosticBag();
            var result = RemoteInliner.Inline(run, resources, documents, overrides, roundBag);
            if (result.Missing.IsEmpty || roundBag.HasErrors || round == MaxRounds)
            {
                if (!result.Missing.IsEmpty && !roundBag.HasErrors)
                {
                    roundBag.Error(run.Location, $"remote refs still unresolved after {MaxRounds} rounds (resolved content keeps referencing more): {string.Join("; ", result.Missing)}");
                }

                bag.AddRange(roundBag.Items);
                return new ResolvedRun(result.Run, resources with { All = [.. resources.All, .. result.Added] }, fetched.ToImmutable());
            }

            var failed = false;
            foreach (var (request, outcome) in await Task.WhenAll(result.Missing.Select(async m => (m, await FetchAsync(m, secrets, cancellationToken).ConfigureAwait(false)))).ConfigureAwait(false))
            {
                if (outcome.Error is { } error)
                {
                    bag.Error(request.Location, error);
                    failed = true;
                }
                else
                {
                    documents[request.Key] = outcome.Document!;
                    fetched[request.Key] = outcome.Document!;
                }
            }

            if (failed)
            {
                return new ResolvedRun(result.Run, resources, fetched.ToImmutable());
            }
        }
    }

    private async Task<(ResolvedDocument? Document, string? Error)> FetchAsync(ResolutionRequest request, IResolutionSecrets secrets, CancellationToken cancellationToken)
    {
        if (!_resolvers.TryGetValue(request.Resolver, out var resolver))
        {
            return (null, $"{request}: the {request.Resolver} resolver is not available in Mothership (it has {string.Join(", ", _resolvers.Keys.Order(StringComparer.Ordinal))}, and cluster)");
        }

        try
        {
            return (await WithTimeoutAsync(resolver, request, secrets, cancellationToken).ConfigureAwait(false), null);
        }
        catch (RemoteResolutionException e)
        {
            return (null, $"{request}: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"{request}: timed out after {_timeout.TotalSeconds:0.#}s (MOTHERSHIP_RESOLVER_TIMEOUT)");
        }
        catch (Exception e) when (e is HttpRequestException or IOException or System.ComponentModel.Win32Exception)
        {
            return (null, $"{request}: {e.Message}");
        }
    }

    private async Task<ResolvedDocument> WithTimeoutAsync(IRemoteResolver resolver, ResolutionRequest request, IResolutionSecrets secrets, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(_timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        return await resolver.ResolveAsync(request, secrets, linked.Token).ConfigureAwait(false);
    }
}
