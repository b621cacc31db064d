using System.Diagnostics;
using System.Net;
using System.Text;

namespace Mothership.Testing;

/// <summary>
/// A real <c>mship server</c> process for integration tests: started on a free loopback port with
/// the given database, ready once <c>/readyz</c> answers; can be SIGKILLed and started again on
/// the same port, database and working directory, as a crash and a restart would.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private readonly string[] _extraArgs;
    private Process? _process;

    private ServerProcess(string database, string workingDirectory, int port, string[] extraArgs)
    {
        Environment = new Dictionary<string, string>(StringComparer.Ordinal);
        Database = database;
        WorkingDirectory = workingDirectory;
        Port = port;
        _extraArgs = extraArgs;
        Http = new HttpClient { BaseAddress = new Uri(Url + "/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public string Database { get; }

    /// <summary>Extra environment variables for the process (e.g. <c>Mothership__LeaseDuration</c>); set before a (re)start.</summary>
    public Dictionary<string, string> Environment { get; }

    public string WorkingDirectory { get; }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>The running process's id (for a benchmark's CPU and memory samples); null before the first start.</summary>
    public int? ProcessId => _process?.Id;

    /// <summary>A client for the API (no token).</summary>
    public HttpClient Http { get; }

    /// <summary>Everything the server printed so far (for assertion messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts a server; <paramref name="database"/> defaults to a SQLite file in <paramref name="workingDirectory"/>.</summary>
    public static async Task<ServerProcess> StartAsync(string workingDirectory, string? database = null, IEnumerable<string>? extraArgs = null,
        CancellationToken cancellationToken = default, IReadOnlyDictionary<string, string>? environment = null)
    {
        var server = new ServerProcess(database ?? $"sqlite:{Path.Combine(workingDirectory, "mothership.db")}", workingDirectory, LoopbackPort.Free(), [.. extraArgs ?? []]);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            server.Environment[key] = value;
        }

        await server.StartAgainAsync(cancellationToken).ConfigureAwait(false);
        return server;
    }

    /// <summary>(Re)starts the process and waits until <c>/readyz</c> says ok.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        var info = new ProcessStartInfo(MshipProcess.Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = WorkingDirectory,
        };
        foreach (var (key, value) in Environment)
        {
            info.Environment[key] = value;
        }

        foreach (var a in (string[])["server", "--db", Database, "--urls", Url, "--workdir", Path.Combine(WorkingDirectory, "runs"), .. _extraArgs])
        {
            info.ArgumentList.Add(a);
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                throw new InvalidOperationException($"mship server exited with {process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await Http.GetAsync("readyz", cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(90))
            {
                throw new TimeoutException($"mship server did not become ready in 90 s:\n{Output}");
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>SIGKILL: no shutdown, no lease released, steps left running as orphans.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: false);
            await p.WaitForExitAsync().ConfigureAwait(false);
        }
    }

    /// <summary>SIGTERM and wait: a graceful stop.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } p)
        {
            _ = Process.Start("kill", ["-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await p.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
    }

    /// <summary>Runs <c>mship ARGS --server URL</c> against this server.</summary>
    public Task<MshipResult> CliAsync(params string[] args) =>
        MshipProcess.RunAsync([.. args, "--server", Url], WorkingDirectory);

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }


    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        _process?.Dispose();
        Http.Dispose();
    }
}
