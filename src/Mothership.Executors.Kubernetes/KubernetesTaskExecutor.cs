using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Mothership.Engine.Execution;
using Mothership.Executors.Kubernetes.Images;
using Mothership.Executors.Kubernetes.Pods;
using Mothership.Executors.Kubernetes.Watching;
using Mothership.Model.Substitution;
using Mothership.Model.Tekton;
using Polly;
using Polly.RateLimiting;
using Polly.Retry;
using System.Threading.RateLimiting;

namespace Mothership.Executors.Kubernetes;

/// <summary>
/// Runs a TaskRun attempt as one pod (<see cref="PodBuilder"/>): creates it, follows it through a
/// shared watch (<see cref="PodWatcher"/>), streams each step's log as it runs, reads the results
/// back when the steps are done, and deletes the pod — at its end, at its timeout or when
/// cancelled. A retry is a new attempt, so a new pod. API calls that fail for the server's
/// reasons (429 with Retry-After, 5xx, a dropped connection) are retried with backoff, and every
/// request waits its turn in a token bucket (<see cref="KubernetesExecutorOptions.Qps"/>); a pod that
/// is evicted or disappears (its node lost) fails the attempt with that reason, never hangs it.
/// Writes per attempt: create the pod, delete it (and, when the account brings creds-init files,
/// create and delete the Secret that carries them to the pod).
/// </summary>
public sealed partial class KubernetesTaskExecutor : ITaskExecutor, IAsyncDisposable
{
    private readonly IKubernetes _client;
    private readonly KubernetesExecutorOptions _options;
    private readonly PodWatcher _watcher;
    private readonly ResiliencePipeline _api;
    private readonly TokenBucketRateLimiter _limiter;
    private readonly HttpClient _registryHttp = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly ImageConfigResolver _images;

    public KubernetesTaskExecutor(IKubernetes client, KubernetesExecutorOptions options)
    {
        _client = client;
        _options = options;
        _watcher = new PodWatcher(client, options.Namespace, $"{PodBuilder.ManagedBy}=mothership", options.TimeProvider);
        _images = new ImageConfigResolver(_registryHttp, options.Registries);
        _limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, options.Burst),
            TokensPerPeriod = Math.Max(1, options.Qps),
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
        _api = new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<HttpOperationException>(e => IsTransient(e.Response.StatusCode)).Handle<HttpRequestException>().Handle<IOException>(),
                MaxRetryAttempts = 6,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(10),
                // The server says when to come back (429 Too Many Requests): do as it says.
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Exception is HttpOperationException { Response: { } r } && RetryAfter(r) is { } after ? after : (TimeSpan?)null),
            })
            // Inside the retry, so every attempt waits its turn: the client side of API fairness.
            .AddRateLimiter(_limiter)
            .Build();
    }

    /// <summary>The API client, for what runs beside the pods (<see cref="ClusterObjects"/>).</summary>
    public IKubernetes Client => _client;

    /// <summary>Where the pods go.</summary>
    public string Namespace => _options.Namespace;

    /// <summary>The shared watch, for tests and metrics.</summary>
    public PodWatcher Watcher => _watcher;

    private static bool IsTransient(HttpStatusCode code) => code is HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError;

    private static TimeSpan? RetryAfter(HttpResponseMessageWrapper response) =>
        response.Headers.TryGetValue("Retry-After", out var values) && int.TryParse(values.FirstOrDefault(), out var seconds) ? TimeSpan.FromSeconds(seconds) : null;

    public async Task<TaskRunOutcome> RunAsync(TaskRunRequest request, ITaskRunListener listener, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(listener);
        var time = _options.TimeProvider;
        TaskRunOutcome FailedBeforePod(string message) => Outcome(TaskRunPhase.Failed, message, [], [], [], time.GetUtcNow(), time.GetUtcNow());
        if (CredentialFiles.Build(request, out var credentialValues, out var credentialsError) is not { } credentials)
        {
            return FailedBeforePod(credentialsError!);
        }

        try
        {
            request = await WithImageCommandsAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (ImageLookupException e)
        {
            return FailedBeforePod(e.Message);
        }

        var plan = PodBuilder.Build(request, _options, credentials);
        await _watcher.StartAsync(cancellationToken).ConfigureAwait(false);
        using var subscription = _watcher.Subscribe(plan.Pod.Metadata.Name);
        var start = time.GetUtcNow();
        // An existing claim was made by an earlier TaskRun of the same run (they share it); an
        // existing Secret or pod by an earlier incarnation of this attempt (a server restart, or a
        // create whose answer was lost and was retried): both are used as they are.
        foreach (var claim in plan.Claims)
        {
            await CreateIfAbsentAsync(ct => _client.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(claim, _options.Namespace, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        }

        if (plan.Credentials is { } secret)
        {
            await CreateIfAbsentAsync(ct => _client.CoreV1.CreateNamespacedSecretAsync(secret, _options.Namespace, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var masked = new MaskingListener(listener, SecretValues.Masker(request, credentialValues));
            return await RunPodAsync(request, masked, plan, subscription, start, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (plan.Credentials is { } created)
            {
                // The pod has read it (or will never run): the credentials go with the attempt.
                await DeleteIfPresentAsync(ct => _client.CoreV1.DeleteNamespacedSecretAsync(created.Metadata.Name, _options.Namespace, cancellationToken: ct), CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task<TaskRunOutcome> RunPodAsync(TaskRunRequest request, ITaskRunListener listener, PodPlan plan, PodSubscription subscription, DateTimeOffset start, CancellationToken cancellationToken)
    {
        var time = _options.TimeProvider;
        var name = plan.Pod.Metadata.Name;
        var images = plan.Pod.Spec.InitContainers.Concat(plan.Pod.Spec.Containers).ToDictionary(c => c.Name, c => (string?)c.Image, StringComparer.Ordinal);
        await CreateIfAbsentAsync(ct => _client.CoreV1.CreateNamespacedPodAsync(plan.Pod, _options.Namespace, cancellationToken: ct), cancellationToken).ConfigureAwait(false);

        using var timeout = request.Timeout is { } t && t > TimeSpan.Zero ? new CancellationTokenSource(t, time) : new CancellationTokenSource();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var logs = new ConcurrentDictionary<string, Task>(StringComparer.Ordinal);
        var reported = new Dictionary<string, StepState>(StringComparer.Ordinal);
        // After a server crash the pod is adopted: the steps that had finished keep the logs
        // already stored; the one that was running is streamed again from its start (the
        // supervisor dropped its partial log).
        var finished = request.FinishedSteps.Select(s => s.Container).ToHashSet(StringComparer.Ordinal);
        var followed = plan.Sidecars.Concat(plan.Steps).Where(c => !finished.Contains(c)).ToList();
        V1Pod? last = null;
        var deleted = false;
        TaskRunPhase? ended = null;
        try
        {
            while (true)
            {
                var update = await subscription.NextAsync(stop.Token).ConfigureAwait(false);
                last = update.Pod;
                foreach (var container in followed.Where(c => !logs.ContainsKey(c) && PodStatusReader.Started(update.Pod, c)))
                {
                    logs[container] = FollowLogAsync(request, listener, name, container, CancellationToken.None);
                }

                foreach (var state in PodStatusReader.States(update.Pod, plan.Steps, images))
                {
                    if (!reported.TryGetValue(state.Container, out var before) || before != state)
                    {
                        reported[state.Container] = state;
                        listener.OnStep(request, state);
                    }
                }

                if (update.Deleted)
                {
                    deleted = true;
                    break;
                }

                if (PodStatusReader.Finished(update.Pod))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            ended = cancellationToken.IsCancellationRequested ? TaskRunPhase.Cancelled : TaskRunPhase.TimedOut;

            // The state at the interruption, before the delete ends the running step: read it
            // (the watch may lag behind by an event), else the newest the watch brought.
            while (subscription.TryNext(out var pending))
            {
                last = pending.Pod;
            }

            last = await ReadPodAsync(name).ConfigureAwait(false) ?? last;

            await DeleteAsync(name, request.GracePeriod).ConfigureAwait(false);
            deleted = true;
        }

        // Logs end with their containers; a deleted pod ends them too. Do not wait forever on a
        // stream of a pod that vanished with its node.
        await Task.WhenAll(logs.Values).WaitAsync(TimeSpan.FromSeconds(30), time, CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        var outcome = ended is { } phase
            ? Interrupted(request, plan, last, images, phase, start)
            : await FinishedAsync(request, plan, last!, deleted, images, start).ConfigureAwait(false);
        if (!deleted && _options.DeleteFinishedPods)
        {
            await DeleteAsync(name, TimeSpan.Zero).ConfigureAwait(false);
        }

        return outcome;
    }

    /// <summary>A create that finds the object already there (409) leaves it as it is.</summary>
    private async Task CreateIfAbsentAsync(Func<CancellationToken, Task> create, CancellationToken cancellationToken)
    {
        try
        {
            await _api.ExecuteAsync(async ct => await create(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // See the callers for whose object it is.
        }
    }

    private async Task<V1Pod?> ReadPodAsync(string name)
    {
        try
        {
            return await _api.ExecuteAsync(async ct => await _client.CoreV1.ReadNamespacedPodAsync(name, _options.Namespace, cancellationToken: ct).ConfigureAwait(false), CancellationToken.None).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private Task<int> DeleteAsync(string name, TimeSpan grace) =>
        DeleteIfPresentAsync(ct => _client.CoreV1.DeleteNamespacedPodAsync(name, _options.Namespace, gracePeriodSeconds: (int)grace.TotalSeconds, cancellationToken: ct), CancellationToken.None);

    private async Task FollowLogAsync(TaskRunRequest request, ITaskRunListener listener, string pod, string container, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _api.ExecuteAsync(
                async ct => await _client.CoreV1.ReadNamespacedPodLogWithHttpMessagesAsync(pod, _options.Namespace, container: container, follow: true, cancellationToken: ct).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
            using var reader = new StreamReader(response.Body, Encoding.UTF8);
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                listener.OnLog(request, container, line);
            }
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException)
        {
            // The pod went away mid-stream (deleted, evicted, node lost): the outcome says why.
        }
    }

    private async Task<TaskRunOutcome> FinishedAsync(TaskRunRequest request, PodPlan plan, V1Pod pod, bool deleted, IReadOnlyDictionary<string, string?> images, DateTimeOffset start)
    {
        var now = _options.TimeProvider.GetUtcNow();
        var steps = PodStatusReader.States(pod, plan.Steps, images).ToList();
        var sidecars = PodStatusReader.States(pod, plan.Sidecars, images);
        if (deleted)
        {
            return Outcome(TaskRunPhase.Failed, $"the pod {pod.Metadata.Name} disappeared before it finished (deleted, or its node was lost)", Ended(steps), sidecars, [], start, now);
        }

        if (pod.Status?.Reason is "Evicted" or "DeadlineExceeded" && pod.Status.Phase == "Failed")
        {
            var phase = pod.Status.Reason == "DeadlineExceeded" ? TaskRunPhase.TimedOut : TaskRunPhase.Failed;
            return Outcome(phase, $"the pod was {(phase == TaskRunPhase.TimedOut ? "stopped at its deadline" : "evicted")}: {pod.Status.Message}", Ended(steps), sidecars, [], start, now);
        }

        if (pod.Status?.Phase != "Succeeded")
        {
            var failed = steps.FirstOrDefault(s => s.ExitCode is { } code && code != 0);
            var message = failed is null ? $"the pod failed: {pod.Status?.Reason} {pod.Status?.Message}".Trim() : $"\"{failed.Container}\" exited with code {failed.ExitCode}";
            return Outcome(TaskRunPhase.Failed, message, Ended(steps), sidecars, [], start, now);
        }

        var report = await ReadReportAsync(pod.Metadata.Name).ConfigureAwait(false);
        foreach (var (container, code) in report.ExitCodes)
        {
            var i = steps.FindIndex(s => s.Container == container);
            if (i >= 0 && code != 0)
            {
                // onError: continue: the container ended well, the step did not.
                steps[i] = steps[i] with { ExitCode = code, TerminationReason = "Continued" };
            }
        }

        // Step results, typed by the step's declarations (status.steps[].results), and what a task
        // result takes from them ("value: $(steps.s.results.r)"), as the local executor does.
        var fromSteps = new VariableScope();
        for (var i = 0; i < steps.Count && i < request.Spec.Steps.Length; i++)
        {
            var declared = request.Spec.Steps[i].Results;
            var stepResults = ImmutableArray.CreateBuilder<RunResult>();
            foreach (var ((container, name), text) in report.StepResults.Where(r => r.Key.Container == steps[i].Container).OrderBy(r => r.Key.Name, StringComparer.Ordinal))
            {
                var spec = declared.FirstOrDefault(r => r.Name == name) ?? new ResultSpec { Name = name };
                if (ResultValues.Parse(spec, text, container, out var error) is not { } value)
                {
                    return Outcome(TaskRunPhase.Failed, error!, steps, sidecars, [], start, now);
                }

                stepResults.Add(new RunResult(name, value));
                fromSteps.Set($"steps.{steps[i].Name}.results.{name}", value);
            }

            steps[i] = steps[i] with { Results = stepResults.ToImmutable() };
        }

        foreach (var spec in request.Spec.Results.Where(r => r.Value is not null && !report.Results.ContainsKey(r.Name)))
        {
            var value = fromSteps.ApplyValue(spec.Value!);
            if (!VariableScope.References(value.ToString()).Any())
            {
                report.Results[spec.Name] = value.Type == ParamType.String ? value.StringValue! : value.ToString();
            }
        }

        if (ResultLimitError(report.Results) is { } tooLarge)
        {
            return Outcome(TaskRunPhase.Failed, tooLarge, steps, sidecars, [], start, now);
        }

        var results = ImmutableArray.CreateBuilder<RunResult>();
        foreach (var spec in request.Spec.Results)
        {
            if (report.Results.TryGetValue(spec.Name, out var text))
            {
                if (ResultValues.Parse(spec, text, "task", out var error) is not { } value)
                {
                    return Outcome(TaskRunPhase.Failed, error!, steps, sidecars, [], start, now);
                }

                results.Add(new RunResult(spec.Name, value));
            }
        }

        return Outcome(TaskRunPhase.Succeeded, "All Steps have completed executing", steps, sidecars, results.ToImmutable(), start, now);
    }

    /// <summary>Why the results are too large for the configured <see cref="KubernetesExecutorOptions.ResultsFrom"/>; null when they fit.</summary>
    private string? ResultLimitError(Dictionary<string, string> results)
    {
        if (_options.ResultsFrom == ResultsFrom.SidecarLogs)
        {
            var large = results.Select(r => (r.Key, Size: Encoding.UTF8.GetByteCount(r.Value))).Where(r => r.Size > _options.MaxResultSize).OrderBy(r => r.Key, StringComparer.Ordinal).FirstOrDefault();
            return large.Key is null ? null : $"result \"{large.Key}\" is {large.Size} bytes, more than the {_options.MaxResultSize} one result may be (max-result-size): write large data to a workspace and return its path";
        }

        var size = results.Sum(r => Encoding.UTF8.GetByteCount(r.Value));
        return size <= _options.MaxResultBytes
            ? null
            : $"the results are {size} bytes, more than the {_options.MaxResultBytes} a TaskRun may return (Tekton's termination-message limit; results-from sidecar-logs raises it per result): write large data to a workspace and return its path";
    }

    private TaskRunOutcome Interrupted(TaskRunRequest request, PodPlan plan, V1Pod? pod, IReadOnlyDictionary<string, string?> images, TaskRunPhase phase, DateTimeOffset start)
    {
        var reason = phase == TaskRunPhase.Cancelled ? "Cancelled" : "TimeoutExceeded";
        // A pod never seen has no statuses: every step reads as not started, so Skipped.
        var steps = PodStatusReader.States(pod ?? new V1Pod(), plan.Steps, images)
            .Select(s => s.TerminationReason is not null ? s : s.StartedAt is not null ? s with { TerminationReason = reason } : s with { TerminationReason = "Skipped" });
        var message = phase == TaskRunPhase.Cancelled
            ? $"TaskRun \"{request.TaskRunName}\" was cancelled"
            : $"TaskRun \"{request.TaskRunName}\" failed to finish within \"{request.Timeout}\"";
        var sidecars = pod is null ? [] : PodStatusReader.States(pod, plan.Sidecars, images);
        return Outcome(phase, message, steps, sidecars, [], start, _options.TimeProvider.GetUtcNow());
    }

    /// <summary>Steps that never ran after a failure are Skipped, as Tekton reports them.</summary>
    private static List<StepState> Ended(List<StepState> steps) =>
        [.. steps.Select(s => s.TerminationReason is null ? s with { TerminationReason = "Skipped" } : s)];

    private static TaskRunOutcome Outcome(TaskRunPhase phase, string message, IEnumerable<StepState> steps, ImmutableArray<StepState> sidecars, ImmutableArray<RunResult> results, DateTimeOffset start, DateTimeOffset end) => new()
    {
        Phase = phase,
        Message = message,
        StartTime = start,
        CompletionTime = end,
        Steps = [.. steps],
        Sidecars = sidecars,
        Results = results,
    };

    private sealed record Report(Dictionary<string, string> Results, Dictionary<string, int> ExitCodes, Dictionary<(string Container, string Name), string> StepResults);

    /// <summary>Reads what the results container printed: <c>result NAME BASE64</c> and <c>exitcode CONTAINER CODE</c> lines.</summary>
    private async Task<Report> ReadReportAsync(string pod)
    {
        var text = await _api.ExecuteAsync(
            async ct =>
            {
                using var response = await _client.CoreV1.ReadNamespacedPodLogWithHttpMessagesAsync(pod, _options.Namespace, container: PodPlan.ResultsContainer, cancellationToken: ct).ConfigureAwait(false);
                using var reader = new StreamReader(response.Body, Encoding.UTF8);
                return await reader.ReadToEndAsync(ct).ConfigureAwait(false);
            },
            CancellationToken.None).ConfigureAwait(false);
        var report = new Report(new(StringComparer.Ordinal), new(StringComparer.Ordinal), []);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', 3);
            if (parts is ["result", var name, var encoded])
            {
                report.Results[name] = Encoding.UTF8.GetString(Convert.FromBase64String(encoded.Trim()));
            }
            else if (parts is ["result", var empty])
            {
                report.Results[empty] = "";
            }
            else if (line.Split(' ', 4) is ["stepresult", var step, var result, .. var rest])
            {
                report.StepResults[(step, result)] = rest is [var value] ? Encoding.UTF8.GetString(Convert.FromBase64String(value.Trim())) : "";
            }
            else if (parts is ["exitcode", var container, var code] && int.TryParse(code, out var exit))
            {
                report.ExitCodes[container] = exit;
            }
        }

        return report;
    }

    /// <summary>
    /// Steps with neither <c>command</c> nor <c>script</c> get their image's command, as Tekton's
    /// controller gives them (its <c>ENTRYPOINT</c>, else its <c>CMD</c>; their <c>args</c> kept):
    /// Tekton runs every step through its own entrypoint, so it must know what the image runs; here
    /// it makes such a step wrappable (exit codes, step results) and runs busybox-style images
    /// (no ENTRYPOINT, <c>CMD ["sh"]</c>, <c>args: [-c, …]</c>) as Tekton does, not as bare Kubernetes.
    /// </summary>
    private async Task<TaskRunRequest> WithImageCommandsAsync(TaskRunRequest request, CancellationToken cancellationToken)
    {
        static bool HasCommand(Step step) => step.Script is not null || !step.Command.IsDefaultOrEmpty || step.Image is null;
        if (request.Spec.Steps.All(HasCommand))
        {
            return request;
        }

        var steps = ImmutableArray.CreateBuilder<Step>(request.Spec.Steps.Length);
        foreach (var step in request.Spec.Steps)
        {
            if (HasCommand(step) || step.Image is not { } name)
            {
                steps.Add(step);
                continue;
            }

            var image = await _images.ResolveAsync(name, cancellationToken).ConfigureAwait(false);
            var command = image.Entrypoint.IsEmpty ? image.Cmd : image.Entrypoint;
            var args = !step.Args.IsDefaultOrEmpty ? step.Args : image.Entrypoint.IsEmpty ? [] : image.Cmd;
            steps.Add(command.IsEmpty ? step : step with { Command = command, Args = args });
        }

        return request with { Spec = request.Spec with { Steps = steps.MoveToImmutable() } };
    }

    /// <summary>Log lines with the values of the Secrets the attempt uses masked, as the local executor streams them.</summary>
    private sealed class MaskingListener(ITaskRunListener inner, SecretMasker masker) : ITaskRunListener
    {
        public void OnLog(TaskRunRequest request, string container, string line) => inner.OnLog(request, container, masker.Mask(line));

        public void OnStep(TaskRunRequest request, StepState step) => inner.OnStep(request, step);
    }

    public async ValueTask DisposeAsync()
    {
        await _watcher.DisposeAsync().ConfigureAwait(false);
        _registryHttp.Dispose();
        await _limiter.DisposeAsync().ConfigureAwait(false);
    }
}
