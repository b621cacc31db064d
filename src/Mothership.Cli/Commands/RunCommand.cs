using System.Collections.Immutable;
using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mothership.Cli.Output;
#if !MSHIP_NATIVE
using Mothership.Cli.Output.Progress;
#endif
using Mothership.Engine.Execution;
using Mothership.Engine.Preparation;
using Mothership.Engine.Resolution;
using Mothership.Engine.Running;
using Mothership.Engine.Scheduling;
using Mothership.Engine.Status;
#if !MSHIP_NATIVE
using Mothership.Executors.Kubernetes;
#endif
using Mothership.Executors.Local;
using Mothership.Model.Diagnostics;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;
#if !MSHIP_NATIVE
using Spectre.Console;
#endif

namespace Mothership.Cli.Commands;

/// <summary>
/// <c>mship run -f FILE... [-R] [-p NAME=VALUE]... [-w NAME=DIR]... [-o text|json] [--pipeline NAME | --task NAME]</c>:
/// runs one PipelineRun or TaskRun on the local executor, without a server.
/// </summary>
/// <remarks>
/// Compiled twice: into the ReadyToRun CLI and, with <c>MSHIP_NATIVE</c> defined, into the native
/// (AOT) front (src/Mothership.Cli.Native). The native build leaves out what it cannot compile
/// ahead of time (the Kubernetes executor: KubernetesClient's reflection-based JSON) and what
/// <c>mship run</c> never uses there (the progress view of <c>mship deploy</c>); the front sends
/// a run with any Kubernetes flag to the ReadyToRun build (NativeCommands).
/// </remarks>
internal static class RunCommand
{
    public static Command Create()
    {
        var files = new Option<string[]>("--file", "-f") { Description = "YAML files (or directories) with the run and what it references", Required = true, AllowMultipleArgumentsPerToken = true };
        var parameters = new Option<string[]>("--param", "-p") { Description = "NAME=VALUE; a value starting with [ or { is a JSON array or object" };
        var workspaces = new Option<string[]>("--workspace", "-w") { Description = "NAME=DIR: bind a workspace to a host directory" };
        var output = new Option<string>("--output", "-o") { Description = "text (logs and a summary) or json (the final run object only)", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json");
        var pipeline = new Option<string?>("--pipeline") { Description = "start the Pipeline of this name instead of a PipelineRun in the files" };
        var task = new Option<string?>("--task") { Description = "start the Task of this name instead of a TaskRun in the files" };
        var parallel = ParallelOption.Create("how many TaskRuns run at once (default: processors, at least 2)", () => Math.Max(2, Environment.ProcessorCount));
        var sandbox = new Option<bool>("--sandbox") { Description = "run each step under bubblewrap: read-only host, no network" };
        var workdir = new Option<string?>("--workdir") { Description = "where TaskRun directories go (default .mothership/runs)" };
        var executorKind = new Option<string>("--executor") { Description = "local (default): processes on this machine; kubernetes: one pod per TaskRun", DefaultValueFactory = _ => "local" };
        executorKind.AcceptOnlyFromAmong("local", "kubernetes");
#if !MSHIP_NATIVE
        var kubernetes = new KubernetesFlags("the context's");
#endif
        var recursive = InputFiles.RecursiveOption();
#if !MSHIP_NATIVE
        var createObjects = new Option<bool>("--create-objects")
        {
            Description = "with --executor kubernetes: also create the files' other namespaced objects (a Deployment, a Service…), as kubectl create -f; without it only their ConfigMaps, Secrets, claims and ServiceAccounts are",
        };
#endif
        var command = new Command("run", "Run a PipelineRun or TaskRun without a server: on this machine, or as pods on Kubernetes")
        {
            files, recursive, parameters, workspaces, output, pipeline, task, parallel, sandbox, workdir, executorKind,
        };
#if !MSHIP_NATIVE
        command.Options.Add(createObjects);
        kubernetes.AddTo(command);
#endif
        command.SetAction(async (parse, _) =>
        {
            if (!ParallelOption.Check(parse.GetValue(parallel), "mship run"))
            {
                return ExitCodes.Usage;
            }

#if MSHIP_NATIVE
            if (parse.GetValue(executorKind) != "local")
            {
                // NativeCommands sends every Kubernetes run to the ReadyToRun build before parsing.
                throw new InvalidOperationException("--executor kubernetes reached the native build");
            }
#else
            if (parse.GetValue(createObjects) && parse.GetValue(executorKind) != "kubernetes")
            {
                Console.Error.WriteLine("mship run: --create-objects needs --executor kubernetes (the local executor runs no Deployments or Services)");
                return ExitCodes.Usage;
            }
#endif

            var options = new RunOptions(
                parse.GetValue(files) ?? [],
                parse.GetValue(parameters) ?? [],
                parse.GetValue(workspaces) ?? [],
                parse.GetValue(output) == "json",
                parse.GetValue(pipeline),
                parse.GetValue(task),
                parse.GetValue(parallel),
                parse.GetValue(sandbox),
                parse.GetValue(workdir))
            {
                Recursive = parse.GetValue(recursive),
#if !MSHIP_NATIVE
                Kubernetes = parse.GetValue(executorKind) == "kubernetes"
                    ? new KubernetesTarget(parse.GetValue(kubernetes.Kubeconfig), parse.GetValue(kubernetes.Context), parse.GetValue(kubernetes.Namespace))
                    {
                        ResultsFrom = KubernetesExecutorOptions.ParseResultsFrom(parse.GetValue(kubernetes.ResultsFrom)) ?? ResultsFrom.TerminationMessage,
                        MaxResultSize = parse.GetValue(kubernetes.MaxResultSize) ?? 4096,
                        Registries = KubernetesExecutorOptions.ParseRegistries(parse.GetValue(kubernetes.Registries) ?? [], out var unused) ?? new Dictionary<string, Uri>(),
                        CreateObjects = parse.GetValue(createObjects),
                    }
                    : null,
#endif
            };
            return await RunAsync(options).ConfigureAwait(false);
        });
        return command;
    }

    internal sealed record RunOptions(string[] Files, string[] Params, string[] Workspaces, bool Json, string? Pipeline, string? Task,
        int Parallel, bool Sandbox, string? Workdir)
    {
        /// <summary>Whether directories among <see cref="Files"/> are read recursively (<c>-R</c>).</summary>
        public bool Recursive { get; init; }

        /// <summary>
        /// Whether a step's end, the run's next decision and the next start happen on one thread, the
        /// one that saw the step end (<see cref="LocalExecutorOptions.EndStepsOnEventThread"/>,
        /// <see cref="RunDriverOptions.OnEndingThread"/>): only while no more steps run at once than
        /// there are cores. Past that, the one thread gets its share of the cores against the steps
        /// and every step's end waits for it (2,000 no-op tasks at --parallel 4 on 2 cores: 2.05–2.33 s,
        /// against 1.54–1.77 s on the pool; bench/RESULTS.md).
        /// </summary>
        public bool OneThread => Parallel <= Environment.ProcessorCount;
#if !MSHIP_NATIVE

        /// <summary>Where pods go with <c>--executor kubernetes</c>; null for the local executor.</summary>
        public KubernetesTarget? Kubernetes { get; init; }

        /// <summary>YAML beside the files whose ConfigMaps, Secrets, claims and accounts are created first with <c>--executor kubernetes</c>.</summary>
        public ImmutableArray<string> ClusterYaml { get; init; } = [];

        /// <summary>Whether a PipelineRun is shown in the live progress view instead of log lines (a terminal, not <c>--plain</c>, not json).</summary>
        public bool Progress { get; init; }
#endif
    }
#if !MSHIP_NATIVE

    internal sealed record KubernetesTarget(string? Kubeconfig, string? Context, string? Namespace)
    {
        public ResultsFrom ResultsFrom { get; init; } = ResultsFrom.TerminationMessage;

        public int MaxResultSize { get; init; } = 4096;

        public IReadOnlyDictionary<string, Uri> Registries { get; init; } = new Dictionary<string, Uri>();

        /// <summary>Whether the files' objects beyond the run's inputs are created too (<c>--create-objects</c>).</summary>
        public bool CreateObjects { get; init; }
    }
#endif

    private static async Task<int> RunAsync(RunOptions o)
    {
        var resources = InputFiles.LoadValid(o.Files, Console.Error, o.Recursive);
        if (resources is null)
        {
            return ExitCodes.Usage;
        }

        var bag = new DiagnosticBag();
        var overrides = ParamArguments.Parse(o.Params, bag);
        var hostWorkspaces = ParseWorkspaces(o.Workspaces, bag);
        var runs = bag.HasErrors ? [] : SelectRuns(resources, o, bag);
        if (runs.Count == 0 || bag.HasErrors)
        {
            InputFiles.Print(bag, Console.Error);
            return ExitCodes.Usage;
        }

        return await ExecuteAsync(resources, runs, overrides, hostWorkspaces, o).ConfigureAwait(false);
    }

#if !MSHIP_NATIVE
    /// <summary>
    /// As kubectl create -f would: the ConfigMaps, Secrets, claims and accounts the files carry, and
    /// with <c>--create-objects</c> their other namespaced objects. Null when the run may go on,
    /// else the exit code after the reason was printed.
    /// </summary>
    private static async Task<int?> CreateClusterObjectsAsync(KubernetesTaskExecutor kubernetes, RunOptions o)
    {
        var inputs = InputFiles.Expand(o.Files, new DiagnosticBag(), o.Recursive).Select(f => ((string?)f, File.ReadAllText(f)))
            .Concat(o.ClusterYaml.Select(y => ((string?)null, y)));
        ClusterObjectsOutcome outcome;
        try
        {
            outcome = await ClusterObjects.CreateAsync(kubernetes.Client, kubernetes.Namespace, inputs, o.Kubernetes?.CreateObjects == true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ClusterObjectException e)
        {
            Console.Error.WriteLine("mship run: " + e.Message);
            return e.BadInput ? ExitCodes.Usage : ExitCodes.RunFailed;
        }

        foreach (var skipped in outcome.Skipped)
        {
            Console.Error.WriteLine("mship run: not created: " + skipped);
        }

        if (!o.Json)
        {
            if (outcome.Created.Count > 0)
            {
                Console.WriteLine($"created in namespace {kubernetes.Namespace}: {string.Join(", ", outcome.Created)}");
            }

            if (outcome.Existing.Count > 0)
            {
                Console.WriteLine($"already in namespace {kubernetes.Namespace}, left as they are: {string.Join(", ", outcome.Existing)}");
            }
        }

        return null;
    }
#endif

    /// <summary>Runs <paramref name="runs"/> one after the other on the chosen executor; the exit code of the worst.</summary>
    internal static async Task<int> ExecuteAsync(ResourceSet resources, IReadOnlyList<Resource> runs, ImmutableArray<Param> overrides,
        ImmutableArray<WorkspaceBinding> hostWorkspaces, RunOptions o)
    {
#if MSHIP_NATIVE
        ITaskExecutor executor = new LocalTaskExecutor(new LocalExecutorOptions
#else
        await using var kubernetes = o.Kubernetes is { } k
            ? KubernetesExecutors.Create(k.Kubeconfig, k.Context, k.Namespace, TimeProvider.System, new KubernetesExecutorOptions { ResultsFrom = k.ResultsFrom, MaxResultSize = k.MaxResultSize, Instance = "mship-run", Registries = k.Registries })
            : null;
        if (kubernetes is not null)
        {
            if (await CreateClusterObjectsAsync(kubernetes, o).ConfigureAwait(false) is { } failed)
            {
                return failed;
            }
        }

        ITaskExecutor executor = kubernetes ?? (ITaskExecutor)new LocalTaskExecutor(new LocalExecutorOptions
#endif
        {
            Root = o.Workdir is null ? Path.Combine(Environment.CurrentDirectory, ".mothership", "runs") : Path.GetFullPath(o.Workdir),
            Sandbox = o.Sandbox,
            Instance = "mship-run",
            EndStepsOnEventThread = o.OneThread,
        });
        var printer = new RunPrinter(Console.Out, quiet: o.Json);
        var objects = new List<JsonObject>();
        var exit = ExitCodes.Success;
        foreach (var run in runs)
        {
            if (runs.Count > 1 && !o.Json)
            {
                Console.WriteLine($"=== {run.Kind} {run.DisplayName}");
            }

            try
            {
                var resolution = new DiagnosticBag();
                if (await RemoteRefs.ResolveAsync(run, resources, overrides, resolution).ConfigureAwait(false) is not { } resolved)
                {
                    InputFiles.Print(resolution, Console.Error);
                    return ExitCodes.Usage;
                }

                var inputs = new RunInputs { Params = overrides, Workspaces = hostWorkspaces };
                var prepared = RunPreparation.Prepare(resolved.Run, resolved.Resources, inputs);
                var masker = RunSecrets.Masker(resolved.Resources, prepared.Resource);
                printer.Masker = masker;
                var (code, obj) = prepared switch
                {
                    PreparedPipelineRun pr => await RunPipelineAsync(pr, executor, printer, o).ConfigureAwait(false),
                    PreparedTaskRun tr => await RunTaskAsync(tr, executor, printer, o).ConfigureAwait(false),
                    _ => (ExitCodes.Usage, new JsonObject()),
                };
                objects.Add(masker.Mask(obj));
                exit = Math.Max(exit, code);
            }
            catch (TaskResolutionException e)
            {
                // A run made from --pipeline/--task has no place in a file: name the command instead.
                var where = run.Location.Line > 0 ? run.Location.ToString() : "mship run";
                await Console.Error.WriteLineAsync($"{where}: error: {e.Message}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            if (runs.Count > 1 && !o.Json)
            {
                Console.WriteLine();
            }
        }

        if (o.Json)
        {
            // Several runs print as a Kubernetes List, as `kubectl get -o json` does.
            var document = objects.Count == 1
                ? objects[0]
                : new JsonObject { ["apiVersion"] = "v1", ["kind"] = "List", ["items"] = new JsonArray([.. objects]) };
            Console.WriteLine(document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }

        return exit;
    }

    private static ImmutableArray<WorkspaceBinding> ParseWorkspaces(IEnumerable<string> values, DiagnosticBag bag)
    {
        var result = ImmutableArray.CreateBuilder<WorkspaceBinding>();
        foreach (var v in values)
        {
            var eq = v.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                bag.Error(new SourceLocation("-w", 0, 0), $"'{v}' is not NAME=DIR");
                continue;
            }

            var dir = Path.GetFullPath(v[(eq + 1)..]);
            if (!Directory.Exists(dir))
            {
                bag.Error(new SourceLocation("-w", 0, 0), $"workspace '{v[..eq]}': directory '{dir}' does not exist");
                continue;
            }

            result.Add(new WorkspaceBinding { Name = v[..eq], Source = new VolumeSource { HostPath = dir } });
        }

        return result.ToImmutable();
    }

    private static List<Resource> SelectRuns(ResourceSet resources, RunOptions o, DiagnosticBag bag)
    {
        // The files named, in short: a directory of a hundred tasks must not make a line of a hundred paths.
        var here = new SourceLocation(o.Files.Length <= 3 ? string.Join(' ', o.Files) : $"{string.Join(' ', o.Files.Take(3))} (and {o.Files.Length - 3} more; {o.Files.Length} files)", 0, 0);
        if (o.Pipeline is { } p)
        {
            if (resources.FindPipeline(p) is null)
            {
                bag.Error(here, $"no Pipeline named '{p}' in the files given");
                return [];
            }

            return [new PipelineRun
            {
                ApiVersion = TektonLabels.ApiVersion,
                Kind = nameof(PipelineRun),
                Metadata = new ObjectMeta { GenerateName = $"{p}-run-" },
                Spec = new PipelineRunSpec { PipelineRef = new ResourceRef { Name = p } },
            }];
        }

        if (o.Task is { } t)
        {
            if (resources.FindTask(t) is null)
            {
                bag.Error(here, $"no Task named '{t}' in the files given");
                return [];
            }

            return [new TaskRun
            {
                ApiVersion = TektonLabels.ApiVersion,
                Kind = nameof(TaskRun),
                Metadata = new ObjectMeta { GenerateName = $"{t}-run-" },
                Spec = new TaskRunSpec { TaskRef = new ResourceRef { Name = t } },
            }];
        }

        // Several runs in the files run one after the other, as `kubectl create -f` would create them all.
        var runs = resources.All.Where(r => r is PipelineRun or TaskRun).ToList();
        if (runs.Count == 0)
        {
            bag.Error(here, "the files hold no PipelineRun or TaskRun: add one, or use --pipeline NAME / --task NAME");
        }

        return runs;
    }

    private static async Task<(int, JsonObject)> RunPipelineAsync(PreparedPipelineRun run, ITaskExecutor executor, RunPrinter printer, RunOptions o)
    {
        var state = run.Start(Guid.NewGuid().ToString(), TimeProvider.System.GetUtcNow());
#if MSHIP_NATIVE
        var driver = new PipelineRunDriver(executor, printer, new RunDriverOptions { Parallelism = o.Parallel, OnEndingThread = o.OneThread });
        Action<string> notice = printer.Notice;
#else
        // With the view, logs go to it (their last lines) instead of the terminal, and so do notices while it draws.
        var progress = o.Progress && !o.Json ? new ProgressListener(TimeProvider.System) : null;
        var driver = new PipelineRunDriver(executor, progress ?? (IRunListener)printer, new RunDriverOptions { Parallelism = o.Parallel, OnEndingThread = o.OneThread });
        Action<string> notice = progress is null ? printer.Notice : progress.Model.Notice;
#endif
        var interrupts = 0;
        using var interrupt = OnInterrupt(() =>
        {
            // First Ctrl-C: cancel running tasks and run finally (Tekton's CancelledRunFinally); second: cancel everything.
            var request = Interlocked.Increment(ref interrupts) == 1 ? SpecStatus.CancelledRunFinally : SpecStatus.Cancelled;
            notice(request == SpecStatus.Cancelled ? "cancelling everything…" : "cancelling; finally tasks will still run (Ctrl-C again to stop them)…");
            driver.RequestCancel(request);
        });
#if MSHIP_NATIVE
        var final = await driver.RunAsync(state, CancellationToken.None).ConfigureAwait(false);
#else
        PipelineRunState final;
        if (progress is null)
        {
            final = await driver.RunAsync(state, CancellationToken.None).ConfigureAwait(false);
        }
        else
        {
            var running = driver.RunAsync(state, CancellationToken.None);
            await ProgressView.ShowAsync(AnsiConsole.Console, progress.Model, progress.Tails, _ =>
            {
                progress.Refresh(running.IsCompletedSuccessfully ? running.Result : null);
                return Task.CompletedTask;
            }, running, ProgressView.LocalInterval, TimeProvider.System, CancellationToken.None).ConfigureAwait(false);
            final = await running.ConfigureAwait(false);
            ProgressView.PrintFailedTails(progress.Model, progress.Tails, Console.Out);
        }
#endif

        await ReleaseAsync(executor, state.Uid, printer).ConfigureAwait(false);
        if (!o.Json)
        {
            printer.PrintSummary(final);
        }

        // The run object is printed only as json; building it for 500 TaskRuns costs tens of milliseconds.
        return (final.Completion?.Status == ConditionStatus.True ? ExitCodes.Success : ExitCodes.RunFailed, o.Json ? RunObjectWriter.PipelineRun(final) : []);
    }

    private static async Task<(int, JsonObject)> RunTaskAsync(PreparedTaskRun run, ITaskExecutor executor, RunPrinter printer, RunOptions o)
    {
        using var cts = new CancellationTokenSource();
        using var interrupt = OnInterrupt(() =>
        {
            printer.Notice("cancelling…");
            cts.Cancel();
        });
        var driver = new TaskRunDriver(executor, printer);
        var uid = Guid.NewGuid().ToString();
        var result = await driver.RunAsync(run, uid, cts.Token).ConfigureAwait(false);
        await ReleaseAsync(executor, uid, printer).ConfigureAwait(false);
        printer.PrintSummary(result);
        var succeeded = result.Attempts.Length > 0 && result.Last.Phase == TaskRunPhase.Succeeded;
        return (succeeded ? ExitCodes.Success : ExitCodes.RunFailed, o.Json ? RunObjectWriter.TaskRun(result) : []);
    }

    /// <summary>The run has ended: its folder on this machine, or the claims its workspace templates made in the cluster, go with it.</summary>
    private static async Task ReleaseAsync(ITaskExecutor executor, string runUid, RunPrinter printer)
    {
        if (executor is IRunCleanup cleanup)
        {
            try
            {
                await cleanup.ReleaseRunAsync(runUid, CancellationToken.None).ConfigureAwait(false);
            }
#if MSHIP_NATIVE
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
#else
            catch (Exception e) when (e is k8s.Autorest.HttpOperationException or HttpRequestException or IOException or UnauthorizedAccessException)
#endif
            {
                printer.Notice($"could not remove what run {runUid} left (its folder, or its claims labelled mothership.io/run-uid={runUid}): {e.Message}");
            }
        }
    }

    /// <summary>Routes Ctrl-C and SIGTERM to <paramref name="onInterrupt"/> instead of killing the process.</summary>
    private static IDisposable OnInterrupt(Action onInterrupt)
    {
        void Handler(PosixSignalContext context)
        {
            context.Cancel = true;
            onInterrupt();
        }

        var registrations = new[]
        {
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Handler),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handler),
        };
        return new Registrations(registrations);
    }

    private sealed class Registrations(PosixSignalRegistration[] items) : IDisposable
    {
        public void Dispose()
        {
            foreach (var r in items)
            {
                r.Dispose();
            }
        }
    }
}
