using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Mothership.Server.Hosting;

namespace Mothership.Cli.Commands;

/// <summary><c>mship server [--db …] [--urls …] [--executor local|kubernetes] [--token …]</c>: the API, the run controller and pruning.</summary>
internal static class ServerCommand
{
    public static Command Create()
    {
        var db = new Option<string?>("--db") { Description = "sqlite:PATH or postgres://USER@HOST:PORT/DB (default sqlite:.mothership/mothership.db)" };
        var urls = new Option<string?>("--urls") { Description = "where to listen (default http://127.0.0.1:8080)" };
        var executor = new Option<string?>("--executor") { Description = "what runs tasks: local (default) or kubernetes (one pod per TaskRun)" };
        var kubernetes = new KubernetesFlags("the server pod's");
        var token = new Option<string?>("--token") { Description = "bearer token required for changes (default: $MSHIP_TOKEN; required off loopback)" };
        var allowedHosts = new Option<string?>("--allowed-hosts")
        {
            Description = "host names the server answers to besides localhost and IP addresses, ';'-separated (NAME, NAME:PORT or *; required off loopback)",
        };
        var replica = new Option<string?>("--replica-id") { Description = "this replica's name in leases (default HOST-PID)" };
        var concurrency = new Option<int?>("--max-concurrent-taskruns") { Description = "TaskRun attempts running at once on this server (default processors × 2)" };
        var workdir = new Option<string?>("--workdir") { Description = "where TaskRun directories go (default .mothership/runs)" };
        var sandbox = new Option<bool>("--sandbox") { Description = "run each step under bubblewrap: read-only host, no network" };
        var command = new Command("server", "Serve the REST API and run PipelineRuns durably (SQLite or PostgreSQL)")
        {
            db, urls, executor, token, allowedHosts, replica, concurrency, workdir, sandbox,
        };
        kubernetes.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            // Before anything else: it may start this process again (ServerGc).
            ServerGc.StartAgainIfNeeded("mship server");
            var overrides = new Dictionary<string, string?>(StringComparer.Ordinal);
            void Set(string key, string? value)
            {
                if (value is not null)
                {
                    overrides[$"{ServerOptions.Section}:{key}"] = value;
                }
            }

            Set("Database", parse.GetValue(db));
            Set("Urls", parse.GetValue(urls));
            Set("Executor", parse.GetValue(executor));
            Set("Kubeconfig", parse.GetValue(kubernetes.Kubeconfig));
            Set("KubernetesContext", parse.GetValue(kubernetes.Context));
            Set("KubernetesNamespace", parse.GetValue(kubernetes.Namespace));
            Set("KubernetesResultsFrom", parse.GetValue(kubernetes.ResultsFrom));
            foreach (var (registry, i) in (parse.GetValue(kubernetes.Registries) ?? []).Select((r, i) => (r, i)))
            {
                Set($"KubernetesRegistries:{i}", registry);
            }

            Set("KubernetesMaxResultSize", parse.GetValue(kubernetes.MaxResultSize)?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Set("Token", parse.GetValue(token) ?? Environment.GetEnvironmentVariable("MSHIP_TOKEN"));
            Set("AllowedHosts", parse.GetValue(allowedHosts));
            Set("ReplicaId", parse.GetValue(replica));
            Set("MaxConcurrentTaskRuns", parse.GetValue(concurrency)?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Set("Workdir", parse.GetValue(workdir));
            Set("Sandbox", parse.GetValue(sandbox) ? "true" : null);
            try
            {
                var app = ServerHost.Build(overrides);
                var settings = app.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
                // Made now, not at the first run: missing cluster credentials stop the start, before "listening".
                app.Services.GetRequiredService<Mothership.Engine.Execution.ITaskExecutor>();
                await ServerHost.RunAsync(app, TimeSpan.FromSeconds(30),
                    () => Console.Error.WriteLine($"mship server: listening on {settings.Urls}, store {Redact(settings.Database)}"), ct).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            catch (OptionsValidationException e)
            {
                foreach (var failure in e.Failures)
                {
                    await Console.Error.WriteLineAsync($"mship server: invalid setting: {failure}").ConfigureAwait(false);
                }

                return ExitCodes.Usage;
            }
            catch (Mothership.Executors.Kubernetes.KubernetesConfigException e)
            {
                await Console.Error.WriteLineAsync($"mship server: --executor kubernetes: {e.Message}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }
            catch (InvalidDataException e)
            {
                // A malformed appsettings.json: the provider names the file, the JSON reader (innermost) the place.
                var place = e.InnerException;
                while (place?.InnerException is not null)
                {
                    place = place.InnerException;
                }

                await Console.Error.WriteLineAsync($"mship server: {e.Message} {place?.Message}".TrimEnd()).ConfigureAwait(false);
                return ExitCodes.Usage;
            }
            catch (ArgumentException e)
            {
                await Console.Error.WriteLineAsync($"mship server: {e.Message}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }
            catch (Mothership.Store.StoreUnavailableException e)
            {
                await Console.Error.WriteLineAsync($"mship server: the database is unavailable: {e.Message}").ConfigureAwait(false);
                return ExitCodes.RunFailed;
            }
            catch (IOException e) when (e.Message.StartsWith("Failed to bind", StringComparison.Ordinal))
            {
                // Kestrel's "Failed to bind to address URL: address already in use." (or permission denied).
                var reason = (e.InnerException?.Message ?? e.Message).TrimEnd('.');
                var url = System.Text.RegularExpressions.Regex.Match(e.Message, @"address (\S+?):? ").Groups[1].Value;
                await Console.Error.WriteLineAsync($"mship server: --urls: cannot listen on {(url.Length > 0 ? url : parse.GetValue(urls) ?? "the address")}: {reason}; pass --urls with a free port")
                    .ConfigureAwait(false);
                return ExitCodes.Usage;
            }
        });
        return command;
    }

    /// <summary>Hides a password in a connection string before printing it.</summary>
    private static string Redact(string database) =>
        System.Text.RegularExpressions.Regex.Replace(database, @"(://[^:/@]+:)[^@]+@|(Password=)[^;]*", m => m.Groups[1].Success ? m.Groups[1].Value + "***@" : m.Groups[2].Value + "***");
}
