using System.Reflection;
using Mothership.Engine.Resolution.Remote;
using Mothership.Model.Tekton;
using Mothership.Server.Runs;
using Mothership.Store;

namespace Mothership.Server.Tests.Runs;

/// <summary>A name made from <c>generateName</c> that is taken already: the intake tries another, as the Kubernetes API server does; a given name is never changed.</summary>
public sealed class RunIntakeNamingTests : IAsyncLifetime
{
    private const string Generated = """
        apiVersion: tekton.dev/v1
        kind: TaskRun
        metadata:
          generateName: gen-
        spec:
          taskSpec: {steps: [{name: s, image: alpine, script: echo hi}]}
        """;

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mship-intake-naming-");
    private IRunStore _store = null!;

    public async ValueTask InitializeAsync()
    {
        _store = RunStoreFactory.Open($"sqlite:{Path.Combine(_dir.FullName, "runs.db")}", TimeProvider.System);
        await _store.MigrateAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        _dir.Delete(recursive: true);
    }

    private static RunIntake Intake(IRunStore store) => new(store, TimeProvider.System, new RemoteResolution([], TimeSpan.FromMinutes(1), TimeProvider.System));

    [Fact(Timeout = 30_000)]
    public async Task CreateAsync_GeneratedNameTaken_StoredUnderAnotherGeneratedName()
    {
        var store = NameTakenStore.Wrap(_store, refusals: 2);

        var result = await Intake(store).CreateAsync(nameof(TaskRun), Generated, "alice", TestContext.Current.CancellationToken);

        Assert.True(result.Run is not null, string.Join("\n", result.Diagnostics));
        var tried = ((NameTakenStore)(object)store).Tried;
        Assert.Equal(3, tried.Count);
        Assert.Equal(3, tried.Distinct(StringComparer.Ordinal).Count());
        Assert.All(tried, name => Assert.Matches("^gen-[a-z0-9]{5}$", name));
        Assert.Equal(tried[^1], result.Run.Name);
        Assert.Equal(result.Run.Name, (await _store.GetRunAsync(nameof(TaskRun), result.Run.Name, TestContext.Current.CancellationToken))?.Name);
    }

    [Fact(Timeout = 30_000)]
    public async Task CreateAsync_GeneratedNamesAlwaysTaken_ConflictAfterEightNames()
    {
        var store = NameTakenStore.Wrap(_store, refusals: int.MaxValue);

        var result = await Intake(store).CreateAsync(nameof(TaskRun), Generated, "alice", TestContext.Current.CancellationToken);

        Assert.True(result.NameTaken);
        Assert.Null(result.Run);
        Assert.Equal(8, ((NameTakenStore)(object)store).Tried.Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task CreateAsync_GivenNameTaken_ConflictWithTheSameName()
    {
        var body = Generated.Replace("generateName: gen-", "name: fixed", StringComparison.Ordinal);
        var intake = Intake(_store);
        Assert.NotNull((await intake.CreateAsync(nameof(TaskRun), body, "alice", TestContext.Current.CancellationToken)).Run);

        var again = await intake.CreateAsync(nameof(TaskRun), body, "alice", TestContext.Current.CancellationToken);

        Assert.True(again.NameTaken);
        var page = await _store.ListRunsAsync(new RunQuery { Kind = nameof(TaskRun) }, TestContext.Current.CancellationToken);
        Assert.Equal(["fixed"], page.Items.Select(r => r.Name));
    }
}

/// <summary>A store whose first <c>refusals</c> run creations answer "name taken" (recording the names), as a collision would; the rest goes to the real store.</summary>
internal class NameTakenStore : StoreProxy
{
    private int _refusals;

    public List<string> Tried { get; } = [];

    public static IRunStore Wrap(IRunStore inner, int refusals)
    {
        var (store, proxy) = Wrap<NameTakenStore>(inner);
        proxy._refusals = refusals;
        return store;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == nameof(IRunStore.CreateRunAsync))
        {
            Tried.Add(((RunRecord)args![0]!).Name);
            if (_refusals-- > 0)
            {
                return Task.FromResult(false);
            }
        }

        return Forward(targetMethod, args);
    }
}
