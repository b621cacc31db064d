using System.Reflection;
using Microsoft.Extensions.Logging.Abstractions;
using Mothership.Ci.Forge;
using Mothership.Ci.Reporting;
using Mothership.Ci.Tests.Triggers;
using Mothership.Ci.Tide;
using Mothership.Model.Tekton;
using Mothership.Testing.GitHub;

namespace Mothership.Ci.Tests.Tide;

/// <summary>
/// A <see cref="MergePool"/> over the trigger harness (fake GitHub, SQLite store, recorded runs):
/// pull requests are opened through GitHub's own <c>pull_request</c> payload so the trigger
/// starts their presubmits, and runs are finished by updating their job results, as the reporter would.
/// </summary>
internal sealed class TideHarness : IAsyncDisposable
{
    public const string Base0 = "b000000000000000000000000000000000000000";
    public const string Author = "alice";

    private readonly HashSet<string> _finished = new(StringComparer.Ordinal);

    private TideHarness(TriggerHarness h, IForge forge)
    {
        H = h;
        Pool = new MergePool(h.Config, forge, h.Store, h.Starter, h.Time, NullLogger<MergePool>.Instance);
    }

    public TriggerHarness H { get; }

    public MergePool Pool { get; }

    public FakeRepository Repository => H.Repository;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A harness whose pool uses a forge that calls <paramref name="beforeMerge"/> before each merge request.</summary>
    public static async Task<TideHarness> StartAsync(string config, Action<int>? beforeMerge = null)
    {
        var h = await TriggerHarness.StartAsync(config);
        h.Repository.SetBranch("main", Base0);
        h.Repository.SetBranch("release", "c000000000000000000000000000000000000000");
        h.Repository.AddCollaborator(Author);
        var forge = beforeMerge is null ? h.Forge : MergeHook.Wrap(h.Forge, beforeMerge);
        return new TideHarness(h, forge);
    }

    /// <summary>Opens a pull request at <paramref name="head"/> with <paramref name="labels"/>; the trigger starts its presubmits on the branch's head.</summary>
    public async Task<FakeIssue> OpenAsync(string head, string branch = "main", params string[] labels)
    {
        H.Time.Advance(TimeSpan.FromSeconds(1));
        var pr = Repository.AddPullRequest(Author, head, "topic-" + head[..6], branch, files: [new("src/app.go")]);
        if (labels.Length > 0)
        {
            await H.Forge.AddLabelsAsync(new RepositoryName(TriggerHarness.Owner, TriggerHarness.Repo), pr.Number, labels, Ct);
        }

        await H.HandleAsync(H.PullRequest("opened", pr));
        return pr;
    }

    /// <summary>
    /// Finishes every run not finished yet that <paramref name="which"/> selects (default all):
    /// success when <paramref name="passes"/> says so, failure otherwise.
    /// </summary>
    public async Task<int> FinishAsync(Func<Resource, bool>? passes = null, Func<Resource, bool>? which = null)
    {
        H.Time.Advance(TimeSpan.FromSeconds(1));
        var runs = H.Runs.Started.Where(r => !_finished.Contains(r.Metadata.Name!) && (which is null || which(r))).ToList();
        foreach (var run in runs)
        {
            var stored = await H.Store.GetRunAsync(run.Kind, run.Metadata.Name!, Ct);
            var state = passes is null || passes(run) ? JobStates.Success : JobStates.Failure;
            Assert.True(await H.Store.UpdateJobResultAsync(stored!.Uid, state, state, done: true, H.Time.GetUtcNow(), Ct));
            _finished.Add(run.Metadata.Name!);
        }

        return runs.Count;
    }

    /// <summary>A sync a second after what came before, so results are ordered by time as in life.</summary>
    public Task<MergePoolSync> SyncAsync()
    {
        H.Time.Advance(TimeSpan.FromSeconds(1));
        return Pool.SyncAsync(Ct);
    }

    /// <summary>The newest <c>tide</c> status on the pull request's head: "state: description".</summary>
    public string? TideStatusOf(FakeIssue pr) =>
        H.StatusesOn(pr.HeadSha).LastOrDefault(s => s.Context == TideStatus.Context) is { } s ? $"{s.State}: {s.Description}" : null;

    /// <summary>The runs started since <paramref name="skip"/>.</summary>
    public IReadOnlyList<Resource> StartedSince(int skip) => [.. H.Runs.Started.Skip(skip)];

    public ValueTask DisposeAsync() => H.DisposeAsync();

    /// <summary>An <see cref="IForge"/> that calls a hook before each merge, then the real one.</summary>
    internal class MergeHook : DispatchProxy
    {
        private IForge _inner = null!;
        private Action<int> _beforeMerge = null!;

        public static IForge Wrap(IForge inner, Action<int> beforeMerge)
        {
            var proxy = Create<IForge, MergeHook>();
            var hook = (MergeHook)(object)proxy;
            hook._inner = inner;
            hook._beforeMerge = beforeMerge;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod!.Name == nameof(IForge.MergePullRequestAsync))
            {
                _beforeMerge((int)args![1]!);
            }

            try
            {
                return targetMethod.Invoke(_inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw e.InnerException;
            }
        }
    }
}
