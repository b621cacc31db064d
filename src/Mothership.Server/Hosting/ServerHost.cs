using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Constraints;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mothership.Ci.Flakes;
using Mothership.Ci.Forge;
using Mothership.Ci.Hooks;
using Mothership.Ci.Jobs;
using Mothership.Ci.Owners;
using Mothership.Ci.Periodics;
using Mothership.Ci.Promotion;
using Mothership.Ci.Plugins;
using Mothership.Ci.Plugins.Approve;
using Mothership.Ci.Plugins.ApproveRollout;
using Mothership.Ci.Plugins.Assign;
using Mothership.Ci.Plugins.Deploy;
using Mothership.Ci.Plugins.Hold;
using Mothership.Ci.Plugins.Label;
using Mothership.Ci.Plugins.Lgtm;
using Mothership.Ci.Plugins.ReleaseNote;
using Mothership.Ci.Plugins.Size;
using Mothership.Ci.Releases;
using Mothership.Ci.Reporting;
using Mothership.Ci.Tide;
using Mothership.Ci.Triggers;
using Mothership.Cloud.Drift;
using Mothership.Engine.Execution;
using Mothership.Engine.Resolution.Remote;
using Mothership.Server.Access;
using Mothership.Server.Api;
using Mothership.Server.Ci;
using Mothership.Server.Cloud;
using Mothership.Server.Dashboard;
using Mothership.Server.Execution;
using Mothership.Server.Identity;
using Mothership.Server.Observability;
using Mothership.Server.Promotion;
using Mothership.Server.Retention;
using Mothership.Server.Rollouts;
using Mothership.Server.Runs;
using Mothership.Server.Security;
using Mothership.Server.Watching;
using Mothership.Store;
using Prometheus;

namespace Mothership.Server.Hosting;

/// <summary>Builds and runs <c>mship server</c>: the REST API, the run controller and the pruning job.</summary>
public static class ServerHost
{
    /// <summary>The host's switch for watching its configuration files (<c>HostingHostBuilderExtensions</c> reads it).</summary>
    internal const string ReloadConfigOnChange = "hostBuilder:reloadConfigOnChange";

    /// <summary>
    /// Builds the host. Configuration, later wins: <c>appsettings.json</c> in the current
    /// directory, environment variables (<c>Mothership__Database</c>, …), then
    /// <paramref name="overrides"/> (the command line's flags, keys like <c>Mothership:Database</c>).
    /// <paramref name="configure"/>, when given, runs last over the registrations: the tests' hook
    /// to replace one (a shifted <see cref="TimeProvider"/> to move the server's clock).
    /// </summary>
    public static WebApplication Build(IReadOnlyDictionary<string, string?> overrides, Action<IServiceCollection>? configure = null)
    {
        // The server stays on the ReadyToRun (JIT) build; the native CLI execs it for `mship server`
        // (src/Mothership.Cli.Native). Native AOT would need, besides this slim builder: the store's
        // Dapper queries (15 files) rewritten, since Dapper maps rows with IL it emits at run time;
        // Octokit replaced, its serializer reflects over its models; KubernetesClient swapped for
        // its AOT variant, whose API is smaller; the minimal-API handlers and options binding moved
        // to the request-delegate and configuration-binding source generators. A server starts
        // once and runs for days, so its start-up was not worth that: the CLI's start-up was.
        // appsettings.json is read once, not watched: the default reload-on-change watches the
        // content root (the current directory) with its subdirectories, where the run folders are
        // by default (.mothership/runs), so every step's files cost the server inotify events on a
        // watcher thread; settings are read at start only (IOptions), so a reload changed nothing.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = Environment.CurrentDirectory, Args = [$"--{ReloadConfigOnChange}=false"],
        });
        builder.Configuration.AddInMemoryCollection(overrides);
        var problems = SettingsReader.Check(builder.Configuration, out var normalized, out var unknown);
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(ServerOptions.Section, typeof(ServerOptions), problems);
        }

        // Last, so the values as the binder reads them (Go durations rewritten) keep their sources' order.
        builder.Configuration.AddInMemoryCollection(normalized);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        // Until the server has started, a failure to start (a port in use) is the caller's to
        // report in one line, not the host's to log with a stack trace; after that the host logs.
        var startup = new StartupState();
        builder.Services.AddSingleton(startup);
        builder.Logging.AddFilter(HostCategory, level => level >= LogLevel.Information && (startup.Started || level < LogLevel.Error));

        var services = builder.Services;
        // The slim builder leaves out the regex route constraint, which the routes use to tell kinds apart.
        services.Configure<RouteOptions>(o => o.SetParameterPolicy<RegexInlineRouteConstraint>("regex"));
        // A parameter that does not bind becomes an exception, and so a problem document (WriteErrorAsync), not an empty 400.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddOptions<ServerOptions>().Bind(builder.Configuration.GetSection(ServerOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ServerOptions>, ServerOptionsValidator>();
        // Validated at start: an unparsable list has stopped the server before this is asked for.
        services.AddSingleton(sp => HostAllowList.Parse(sp.GetRequiredService<IOptions<ServerOptions>>().Value.AllowedHosts, out _) ?? HostAllowList.Default);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(Metrics.NewCustomRegistry());
        services.AddSingleton(sp => new ServerMetrics(sp.GetRequiredService<CollectorRegistry>()));
        services.AddSingleton<IRunStore>(sp => new InstrumentedRunStore(
            RunStoreFactory.Open(sp.GetRequiredService<IOptions<ServerOptions>>().Value.Database, sp.GetRequiredService<TimeProvider>()),
            sp.GetRequiredService<ServerMetrics>()));
        services.AddSingleton<FlakeReport>();
        // The server's own executor, and those of the sites' deploys (their site.yaml says where) made on first use.
        services.AddSingleton(sp => ServerExecutors.Create(sp.GetRequiredService<IOptions<ServerOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ITaskExecutor>(sp => sp.GetRequiredService<RoutingExecutor>());
        services.AddSingleton(sp => new FairAttemptGate(sp.GetRequiredService<IOptions<ServerOptions>>().Value.MaxConcurrentTaskRuns));
        services.AddSingleton<RunLeftovers>();
        // Remote resolution's settings are environment variables, the same for mship run and the server (README, "Remote resolution").
        services.AddSingleton(sp => RemoteResolution.Create(RemoteResolverOptions.FromEnvironment(), new HttpClient { Timeout = Timeout.InfiniteTimeSpan }, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<RunIntake>();
        services.AddSingleton<RunGraphCache>();
        services.AddSingleton<RunWatchHub>();
        services.AddSingleton<RunLogHub>();
        services.AddSingleton<RunController>();
        services.AddHostedService(sp => sp.GetRequiredService<RunController>());
        services.AddHostedService<PruneService>();
        services.AddSingleton<SiteRepositoryCache>();
        services.AddSingleton<ServerAccess>();
        services.AddSingleton<SiteDeployIntake>();
        services.AddSingleton<SiteDeployReconciler>();
        services.AddHostedService(sp => sp.GetRequiredService<SiteDeployReconciler>());
        services.AddSingleton<IRolloutRoles, PolicyRolloutRoles>();
        services.AddSingleton<RolloutService>();
        services.AddSingleton<RolloutDriver>();
        services.AddHostedService(sp => sp.GetRequiredService<RolloutDriver>());
        services.AddSingleton<IHelmRunner>(sp => new HelmProcessRunner(new HelmProcessRunnerOptions(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<SiteDriftMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<SiteDriftMonitor>());
        IdentitySchemes.Add(services, builder.Configuration);
        AddCi(services, builder.Configuration);
        services.AddHostedService<ExecutorSweepService>();
        // Kestrel's options are read before ours are validated: a size it refuses waits for the validator's message.
        services.Configure<KestrelServerOptions>(k => k.Limits.MaxRequestBodySize = builder.Configuration.GetValue<long?>("Mothership:MaxRequestBytes") is > 0 and var size
            ? size
            : new ServerOptions().MaxRequestBytes);
        builder.WebHost.UseUrls((builder.Configuration.GetValue<string>("Mothership:Urls") ?? new ServerOptions().Urls).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

        configure?.Invoke(builder.Services);
        var app = builder.Build();
        var settingsLog = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Mothership.Server.Settings");
        foreach (var line in unknown)
        {
            SettingsLog.Unknown(settingsLog, line);
        }

        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = WriteErrorAsync,
            // An answer the server means to give (503 while the database is down, 413, 400) is
            // not an unhandled exception: WriteErrorAsync logs it as one line, without a stack.
            SuppressDiagnosticsCallback = c => Expected(c.Exception),
        });
        // Routing's own answers (no such path: 404, a method the path does not take: 405) have no
        // body; every error this server sends is a problem document.
        app.UseStatusCodePages(WriteStatusAsync);
        app.UseMiddleware<BrowserSafetyMiddleware>();
        app.UseAuthentication();
        app.UseMiddleware<RequireIdentityMiddleware>();

        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", async (IRunStore store, CancellationToken ct) =>
        {
            await store.PingAsync(ct).ConfigureAwait(false);
            return Results.Text("ok\n");
        });
        var registry = app.Services.GetRequiredService<CollectorRegistry>();
        var metrics = app.Services.GetRequiredService<ServerMetrics>();
        var store = app.Services.GetRequiredService<IRunStore>();
        registry.AddBeforeCollectCallback(async ct =>
        {
            try
            {
                foreach (var c in await store.CountRunsAsync(ct).ConfigureAwait(false))
                {
                    metrics.Runs.WithLabels(c.Kind, c.Phase.ToString(), c.Reason).Set(c.Count);
                }
            }
            catch (StoreUnavailableException)
            {
                // The scrape still returns the other metrics, and store errors count the outage.
            }
        });
        var flakes = app.Services.GetRequiredService<FlakeReport>();
        registry.AddBeforeCollectCallback(async ct =>
        {
            try
            {
                foreach (var c in FlakeLedger.Count(await flakes.FlakesAsync(ct).ConfigureAwait(false)))
                {
                    metrics.CiFlakes.WithLabels(c.Repository, c.Job, c.Week).Set(c.Count);
                }
            }
            catch (StoreUnavailableException)
            {
                // As the runs' gauge: the scrape goes on without it.
            }
        });
        registry.AddBeforeCollectCallback(async ct =>
        {
            try
            {
                foreach (var drift in await store.ListSiteDriftsAsync(ct).ConfigureAwait(false))
                {
                    // Every state of a site, 1 for the current one, so a change leaves no stale 1 behind.
                    foreach (var state in Enum.GetNames<DriftState>())
                    {
                        metrics.SiteDrift.WithLabels(drift.Site, state).Set(state == drift.State ? 1 : 0);
                    }
                }
            }
            catch (StoreUnavailableException)
            {
                // As the runs' gauge: the scrape goes on without it.
            }
        });
        if (app.Services.GetService<IForge>() is { } forge)
        {
            registry.AddBeforeCollectCallback(() =>
            {
                if (forge.LastRateLimit is { } quota)
                {
                    metrics.GitHubRateLimit.WithLabels("limit").Set(quota.Limit);
                    metrics.GitHubRateLimit.WithLabels("remaining").Set(quota.Remaining);
                    metrics.GitHubRateLimitReset.Set(quota.Reset.ToUnixTimeSeconds());
                }
            });
        }

        app.MapMetrics("/metrics", registry);

        var api = app.MapGroup("/api/v1");
        api.AddEndpointFilter(ApiContext.CheckNameAsync);
        ResourceEndpoints.Map(api);
        RunEndpoints.Map(api);
        LogEndpoints.Map(api);
        SiteEndpoints.Map(api);
        HookEndpoints.Map(app, api);
        PullRequestEndpoints.Map(api);
        PromotionEndpoints.Map(api);
        RolloutEndpoints.Map(api);
        IdentityEndpoints.Map(api);
        AccessEndpoints.Map(api);
        DashboardEndpoints.Map(app);
        return app;
    }

    /// <summary>
    /// The CI bot, when the server has a webhook secret: the hook's intake and the worker that
    /// handles what it stored (deliveries are handled by whichever server holds their lease).
    /// </summary>
    private static void AddCi(IServiceCollection services, IConfiguration configuration)
    {
        // Which services to register is read off the configuration; their settings come from the validated options.
        var github = configuration.GetSection(ServerOptions.Section + ":GitHub");
        if (string.IsNullOrEmpty(github[nameof(GitHubOptions.WebhookSecretFile)]))
        {
            return;
        }

        // The validator has refused a file without secrets before anything asks for these.
        services.AddSingleton(sp => new WebhookSignature(sp.GetRequiredService<IOptions<ServerOptions>>().Value.GitHub.ReadWebhookSecrets()));
        services.AddSingleton<WebhookIntake>();
        services.AddSingleton(sp => new DeliveryProcessor(sp.GetRequiredService<IRunStore>(), sp.GetRequiredService<IDeliveryHandler>(),
            sp.GetRequiredService<TimeProvider>(), $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}"));
        services.AddSingleton<DeliveryService>();
        services.AddHostedService(sp => sp.GetRequiredService<DeliveryService>());
        var app = !string.IsNullOrEmpty(github[nameof(GitHubOptions.AppId)]);
        if (!string.IsNullOrEmpty(github[nameof(GitHubOptions.TokenFile)]))
        {
            services.AddSingleton<IForge>(sp =>
            {
                var o = sp.GetRequiredService<IOptions<ServerOptions>>().Value.GitHub;
                return GitHubForge.WithToken(new GitHubForgeOptions { ApiUrl = new Uri(o.ApiUrl) }, o.ReadToken()!, sp.GetRequiredService<TimeProvider>(),
                    sp.GetRequiredService<ILogger<GitHubForge>>());
            });
        }
        else if (app)
        {
            // The validator has read the key once and refused a missing id, a bad key, or a token beside them.
            services.AddSingleton(sp =>
            {
                var o = sp.GetRequiredService<IOptions<ServerOptions>>().Value.GitHub;
                return new GitHubAppForge(new GitHubForgeOptions { ApiUrl = new Uri(o.ApiUrl) }, new GitHubAppCredentials(o.AppId!.Value, o.ReadPrivateKey(out _)!),
                    sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<GitHubForge>>(), sp.GetRequiredService<ILogger<GitHubAppTokens>>());
            });
            services.AddSingleton<IForge>(sp => sp.GetRequiredService<GitHubAppForge>());
        }

        if (github.GetSection(nameof(GitHubOptions.Hooks)).GetChildren().Any())
        {
            services.AddSingleton<DeliveryReconciler>();
            services.AddHostedService<DeliveryReconcileService>();
        }

        var ci = configuration.GetSection(ServerOptions.Section + ":Ci");
        if (string.IsNullOrEmpty(ci[nameof(CiOptions.Config)]) && string.IsNullOrEmpty(ci[nameof(CiOptions.Plugins)]))
        {
            services.AddSingleton<IDeliveryHandler>(sp => new DeliveryHandlers(
                [new PullRequestRecorder(sp.GetRequiredService<IRunStore>(), sp.GetRequiredService<TimeProvider>()), new RecordingDeliveryHandler()]));
            return;
        }

        // The validator has read the files once and refused errors, and a token is set.
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<ServerOptions>>().Value.Ci;
            return new JobConfigFiles(ServerOptionsValidator.NullIfEmpty(o.Config), ServerOptionsValidator.NullIfEmpty(o.Plugins));
        });
        services.AddSingleton<IJobConfigSource>(sp =>
        {
            sp.GetRequiredService<JobConfigReloadService>().Load();
            return sp.GetRequiredService<JobConfigFiles>();
        });
        services.AddSingleton<JobConfigReloadService>();
        services.AddHostedService(sp => sp.GetRequiredService<JobConfigReloadService>());
        services.AddSingleton<IJobRuns, ServerJobRuns>();
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<ServerOptions>>().Value;
            return new JobTriggerOptions
            {
                CloneImage = o.Ci.CloneImage,
                RunUrl = sp.GetRequiredService<JobReporterOptions>().RunUrl,
                // Checkouts fetch as the bot (private repositories); read per run, so a rotated token file is picked up.
                // As an app, the repository's installation token (an hour's life: longer than a checkout).
                CloneToken = !string.IsNullOrEmpty(o.GitHub.TokenFile) ? (_, _) => Task.FromResult(o.GitHub.ReadToken())
                    : sp.GetService<GitHubAppForge>() is { } appForge ? async (repo, ct) => await appForge.TokenForAsync(repo, ct).ConfigureAwait(false)
                    : null,
                CloneHost = CloneCredentials.CloneHostOf(new Uri(o.GitHub.ApiUrl)),
            };
        });
        services.AddSingleton<JobConcurrency>();
        services.AddHostedService<JobConcurrencyService>();
        services.AddSingleton<JobStarter>();
        services.AddSingleton<JobTrigger>();
        services.AddSingleton<IReviewPlugin, HoldPlugin>();
        services.AddSingleton<IReviewPlugin, LgtmPlugin>();
        services.AddSingleton<IReviewPlugin, LabelPlugin>();
        services.AddSingleton<IReviewPlugin, SizePlugin>();
        services.AddSingleton<IReviewPlugin, ReleaseNotePlugin>();
        services.AddSingleton<IReviewPlugin, AssignPlugin>();
        services.AddSingleton<OwnersReader>();
        services.AddSingleton<IReviewPlugin>(sp => new ApprovePlugin(sp.GetRequiredService<IForge>(), sp.GetRequiredService<OwnersReader>())
        {
            LinkUrl = ApprovePlugin.WebRootOf(new Uri(sp.GetRequiredService<IOptions<ServerOptions>>().Value.GitHub.ApiUrl)),
        });
        services.AddSingleton<ReviewPlugins>();
        services.AddSingleton<IDeliveryHandler>(sp => new DeliveryHandlers(
            [new PullRequestRecorder(sp.GetRequiredService<IRunStore>(), sp.GetRequiredService<TimeProvider>()), sp.GetRequiredService<JobTrigger>(), sp.GetRequiredService<ReviewPlugins>()]));
        services.AddSingleton<PeriodicScheduler>();
        services.AddHostedService<PeriodicService>();
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<ServerOptions>>().Value;
            var jobs = sp.GetRequiredService<IJobConfigSource>();
            return new JobReporterOptions
            {
                PublicUrl = o.PublicUrl is { Length: > 0 } url ? new Uri(url) : null,
                RerunCommand = name => jobs.Current.Presubmits.Values.SelectMany(j => j).FirstOrDefault(j => j.Name == name)?.RerunCommand
                    ?? TriggerCommands.DefaultRerunCommandFor(name),
            };
        });
        services.AddSingleton<FlakeRetrier>();
        if (app)
        {
            // GitHub creates check runs for an app only: with a token, statuses alone.
            services.AddSingleton<IJobLogs, ServerJobLogs>();
            services.AddSingleton(sp => new CheckRunReporter(sp.GetRequiredService<GitHubAppForge>(), sp.GetRequiredService<IJobLogs>(),
                sp.GetRequiredService<JobReporterOptions>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<CheckRunReporter>>()));
        }

        services.AddSingleton<JobReporter>();
        services.AddHostedService<JobReportService>();
        services.AddSingleton<MergePool>();
        services.AddHostedService<MergePoolService>();
        if (!string.IsNullOrEmpty(configuration[ServerOptions.Section + ":Cloud:" + nameof(CloudOptions.Repository)]))
        {
            // Promotion: deployment pull requests of the site repository, deployed by its labels (the deploy plugin).
            services.AddSingleton(sp => (IRepositoryWrites)sp.GetRequiredService<IForge>());
            services.AddSingleton<SitePromotion>();
            services.AddSingleton<ISiteDeployments, ServerSiteDeployments>();
            services.AddSingleton<IDeployPermissions, ServerDeployPermissions>();
            services.AddSingleton<IReviewPlugin>(sp => new DeployPlugin(sp.GetRequiredService<IForge>(), sp.GetRequiredService<ISiteDeployments>(), sp.GetRequiredService<OwnersReader>(),
                sp.GetRequiredService<IDeployPermissions>()));
            // Rollouts of promoted environments: their pull requests, and /approve-rollout on them.
            services.AddSingleton<IRolloutApprovals, ServerRolloutApprovals>();
            services.AddSingleton<IReviewPlugin>(sp => new ApproveRolloutPlugin(sp.GetRequiredService<IForge>(), sp.GetRequiredService<IRolloutApprovals>()));
            services.TryAddSingleton<IJobLogs, ServerJobLogs>();
            services.AddHostedService<PromotionService>();
            services.AddHostedService<RolloutPullRequestService>();
        }
    }

    /// <summary>Infrastructure failures as problem documents: 503 when the database is down, 413 for a body too large.</summary>
    private static async Task WriteErrorAsync(HttpContext context)
    {
        var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        var result = error switch
        {
            StoreUnavailableException e => Problems.Of(StatusCodes.Status503ServiceUnavailable, "Store unavailable", e.Message),
            Microsoft.AspNetCore.Http.BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => Problems.Of(StatusCodes.Status413PayloadTooLarge, "Payload too large", "the request body exceeds the server's limit (Mothership:MaxRequestBytes)"),
            Microsoft.AspNetCore.Http.BadHttpRequestException e => Problems.Of(e.StatusCode, "Bad request", e.Message),
            _ => Problems.Of(StatusCodes.Status500InternalServerError, "Internal error", "the server failed to handle this request; see its log"),
        };
        if (error is StoreUnavailableException)
        {
            context.Response.Headers.RetryAfter = "5";
        }

        if (error is not null && Expected(error))
        {
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Mothership.Server.Api");
            var status = error is Microsoft.AspNetCore.Http.BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status503ServiceUnavailable;
            RequestLog.Refused(logger, context.Request.Method, context.Request.Path, status, error.Message);
        }

        await result.ExecuteAsync(context).ConfigureAwait(false);
    }

    private static bool Expected(Exception error) => error is StoreUnavailableException or Microsoft.AspNetCore.Http.BadHttpRequestException;

    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    /// <summary>Whether the host has started, for the log filter of <see cref="Build"/>.</summary>
    private sealed class StartupState
    {
        public volatile bool Started;
    }

    /// <summary>An error status sent without a body, as a problem document.</summary>
    private static Task WriteStatusAsync(StatusCodeContext status)
    {
        var context = status.HttpContext;
        var code = context.Response.StatusCode;
        var title = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(code);
        var detail = code switch
        {
            StatusCodes.Status404NotFound => "nothing is served at this path",
            StatusCodes.Status405MethodNotAllowed => $"this path does not take {context.Request.Method} requests",
            _ => title,
        };
        return Problems.Of(code, title, detail).ExecuteAsync(context);
    }

    /// <summary>
    /// Migrates the store (waiting up to <paramref name="storeWait"/> for the database), starts
    /// listening, calls <paramref name="listening"/>, then serves until stopped. A failure to
    /// start (an address in use) is thrown before <paramref name="listening"/> is called.
    /// </summary>
    public static async Task RunAsync(WebApplication app, TimeSpan storeWait, Action? listening, CancellationToken cancellationToken)
    {
        var store = app.Services.GetRequiredService<IRunStore>();
        var time = app.Services.GetRequiredService<TimeProvider>();
        var deadline = time.GetUtcNow() + storeWait;
        while (true)
        {
            try
            {
                await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (StoreUnavailableException) when (time.GetUtcNow() < deadline)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken).ConfigureAwait(false);
            }
        }

        // What app.RunAsync does, with the caller told once the addresses are bound.
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            app.Services.GetRequiredService<StartupState>().Started = true;
            listening?.Invoke();
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }
}
