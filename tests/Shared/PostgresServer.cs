using System.Diagnostics;

namespace Mothership.Testing;

/// <summary>
/// A throwaway PostgreSQL 15 server for tests and benchmarks: <c>initdb</c> into a temp folder,
/// <c>pg_ctl start</c> on a free loopback port with fsync off, a fresh database per caller, and
/// <c>pg_ctl stop -m immediate</c> plus the folder removed on dispose. Uses Debian's binaries;
/// as root it runs them as the <c>postgres</c> user (the server refuses to run as root).
/// Free of xUnit so benchmarks can link it; tests skip or fail through their own fixture.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    /// <summary>Where Debian's <c>postgresql-15</c> package puts the server binaries.</summary>
    public const string BinDirectory = "/usr/lib/postgresql/15/bin";

    /// <summary>Why tests that need the server cannot run here.</summary>
    public const string NotInstalledReason = "PostgreSQL 15 not installed (apt-get install postgresql)";

    private static readonly bool AsRoot = Environment.UserName == "root";
    private readonly string _root;
    private int _databases;

    private PostgresServer(string root, int port)
    {
        _root = root;
        Port = port;
    }

    /// <summary>True when the binaries are on this machine.</summary>
    public static bool IsInstalled => File.Exists(Path.Combine(BinDirectory, "initdb")) && File.Exists(Path.Combine(BinDirectory, "pg_ctl"));

    public int Port { get; private set; }

    /// <summary>The data directory (under a temp folder that also holds the socket and the log).</summary>
    public string DataDirectory => Path.Combine(_root, "data");

    public bool IsRunning { get; private set; }

    /// <summary>Creates a cluster and starts it; throws when the binaries are missing or the server does not start.</summary>
    public static async Task<PostgresServer> StartAsync(CancellationToken cancellationToken = default)
    {
        if (!IsInstalled)
        {
            throw new InvalidOperationException(NotInstalledReason);
        }

        var root = Directory.CreateTempSubdirectory("mothership-pg-").FullName;
        var server = new PostgresServer(root, LoopbackPort.Free());
        try
        {
            if (AsRoot)
            {
                await RunAsync("chown", ["postgres:postgres", root], cancellationToken).ConfigureAwait(false);
            }

            await server.RunPgAsync("initdb", ["-D", server.DataDirectory, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync", "--no-instructions"], cancellationToken).ConfigureAwait(false);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await server.StartAgainAsync(cancellationToken).ConfigureAwait(false);
                    return server;
                }
                catch (InvalidOperationException) when (attempt < 3)
                {
                    // Tests in other processes pick free ports too: another one may have taken ours
                    // between the probe and the start. Try a fresh port.
                    server.Port = LoopbackPort.Free();
                }
            }
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>An Npgsql connection string for <paramref name="database"/>.</summary>
    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Timeout=5;Command Timeout=30";

    /// <summary>Creates an empty database with a fresh name and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "test", CancellationToken cancellationToken = default)
    {
        var name = $"{prefix}_{Interlocked.Increment(ref _databases)}".ToLowerInvariant();
        await RunPgAsync("createdb", ["-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres", name], cancellationToken).ConfigureAwait(false);
        return ConnectionString(name);
    }

    /// <summary>Stops the server at once (as a crash would); <see cref="StartAgainAsync"/> brings it back on the same port and data.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (IsRunning)
        {
            await RunPgAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"], cancellationToken).ConfigureAwait(false);
            IsRunning = false;
        }
    }

    /// <summary>Starts the server (again) on the same port and data directory and waits until it accepts connections.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        var options = $"-p {Port} -k {_root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200";
        var log = Path.Combine(_root, "server.log");
        try
        {
            await RunPgAsync("pg_ctl", ["-D", DataDirectory, "-o", options, "-l", log, "-w", "-t", "60", "start"], cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            var tail = File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(10)) : "(no log)";
            throw new InvalidOperationException($"{e.Message}\nserver log:\n{tail}", e);
        }

        IsRunning = true;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        finally
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
                // A file the stopped server still had open; the temp folder is cleaned by the OS.
            }
        }
    }


    private Task RunPgAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var path = Path.Combine(BinDirectory, tool);
        return AsRoot ? RunAsync("runuser", ["-u", "postgres", "--", path, .. arguments], cancellationToken) : RunAsync(path, arguments, cancellationToken);
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        var output = (await stdout.ConfigureAwait(false)) + (await stderr.ConfigureAwait(false));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {output.Trim()}");
        }
    }
}
