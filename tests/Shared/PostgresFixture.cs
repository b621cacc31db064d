namespace Mothership.Testing;

/// <summary>
/// One PostgreSQL server for the whole test assembly, started by the first test that asks for it
/// (a run of SQLite tests alone never starts it). Each test assembly that uses it registers it
/// with <c>[assembly: AssemblyFixture(typeof(PostgresFixture))]</c>. Without the binaries the tests
/// follow <see cref="Prerequisites"/>: skipped, except on CI, which installs them: there a missing server fails the run.
/// </summary>
public sealed class PostgresFixture : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private PostgresServer? _server;

    /// <summary>The running server, or skips (fails on CI) the calling test.</summary>
    public async Task<PostgresServer> ServerAsync(CancellationToken cancellationToken)
    {
        if (!PostgresServer.IsInstalled)
        {
            Prerequisites.Missing(PostgresServer.NotInstalledReason, ".ci/run should have installed it");
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _server ??= await PostgresServer.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }

        _gate.Dispose();
    }
}
