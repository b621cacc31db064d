using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using System.Text;
using System.Threading.RateLimiting;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Mothership.Engine.Execution;
using Mothership.Executors.Kubernetes.Images;
using Mothership.Executors.Kubernetes.Pods;
using Mothership.Executors.Kubernetes.Watching;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;
using Polly;
using Polly.Retry;

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
        _watcher = new PodWatcher(client, options.Namespace, $"{MothershipLabels.ManagedBy}={MothershipLabels.ManagedByValue}", options.TimeProvider);
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
        var rules = new AttemptRules(request, _options.ResultLimit);
        TaskRunOutcome FailedBeforePod(string message) =>
            AttemptRules.Outcome(new AttemptEnd(TaskRunPhase.Failed, message), time.GetUtcNow(), time.GetUtcNow(), rules.Completed([]));
        if (CredentialFiles.Build(request, out var credentialValues, out var credentialsError) is not { } credentials)
        {
            return FailedBeforePod(credentialsError!);
        }

        PodPlan plan;
        try
        {
            request = await WithImageCommandsAsync(request, cancellationToken).ConfigureAwait(false);
            plan = PodBuilder.Build(request, _options, credentials);
        }
        catch (ImageLookupException e)
        {
            return FailedBeforePod(e.Message);
        }
        catch (AttemptFailure e)
        {
            return FailedBeforePod(e.Message);
        }

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

        // The Secrets and ConfigMaps of the run's files that the pod reads (a server's run has
        // them in its files only); released with the run's claims.
        var (inputSecrets, inputConfigMaps) = RunInputObjects.For(plan.Pod, request, _options.Namespace);
        foreach (var input in inputSecrets)
        {
            await CreateIfAbsentAsync(ct => _client.CoreV1.CreateNamespacedSecretAsync(input, _options.Namespace, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        }

        foreach (var input in inputConfigMaps)
        {
            await CreateIfAbsentAsync(ct => _client.CoreV1.CreateNamespacedConfigMapAsync(input, _options.Namespace, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var masked = new MaskingListener(listener, SecretValues.Masker(request, credentialValues));
            return await RunPodAsync(new AttemptRules(request, _options.ResultLimit), masked, plan, subscription, start, cancellationToken).ConfigureAwait(false);
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

    private async Task<TaskRunOutcome> RunPodAsync(AttemptRules rules, ITaskRunListener listener, PodPlan plan, PodSubscription subscription, DateTimeOffset start, CancellationToken cancellationToken)
    {
        var request = rules.Request;
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
        bool? cancelled = null;
        var endedBefore = new HashSet<string>(StringComparer.Ordinal);
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

                foreach (var state in ReadSteps(update.Pod, rules, images, time.GetUtcNow()).Steps.Concat(ReadSidecars(update.Pod, rules, images, time.GetUtcNow())))
                {
                    if (state.StartedAt is not null && (!reported.TryGetValue(state.Container, out var before) || before != state))
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
            cancelled = cancellationToken.IsCancellationRequested;

            // The state at the interruption, before the delete ends the running step: read it
            // (the watch may lag behind by an event), else the newest the watch brought.
            while (subscription.TryNext(out var pending))
            {
                last = pending.Pod;
            }

            last = await ReadPodAsync(name).ConfigureAwait(false) ?? last;

            endedBefore = [.. plan.Steps.Where(c => last is not null && PodStatusReader.Observe(last, c, null).Terminated)];
            await DeleteAsync(name, request.GracePeriod).ConfigureAwait(false);
            deleted = true;
            last = await StoppedAsync(subscription, rules, last, request.GracePeriod).ConfigureAwait(false);
        }

        // Logs end with their containers; a deleted pod ends them too. Do not wait forever on a
        // stream of a pod that vanished with its node.
        await Task.WhenAll(logs.Values).WaitAsync(TimeSpan.FromSeconds(30), time, CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        var outcome = cancelled is { } byUser
            ? Interrupted(rules, last, images, byUser, endedBefore, start)
            : await FinishedAsync(rules, last!, deleted, images, start).ConfigureAwait(false);
        if (!deleted && _options.DeleteFinishedPods)
        {
            await DeleteAsync(name, TimeSpan.Zero).ConfigureAwait(false);
        }

        return outcome;
    }

    /// <summary>
    /// The pod once its deletion has stopped the step that was running: the kubelet sends it SIGTERM
    /// (SIGKILL after the grace period) and reports its exit code, which the attempt's status keeps,
    /// as the local executor keeps a stopped step's. Waits no longer than the grace period and a
    /// little more; a pod gone with its node has no more to say.
    /// </summary>
    private async Task<V1Pod?> StoppedAsync(PodSubscription subscription, AttemptRules rules, V1Pod? pod, TimeSpan gracePeriod)
    {
        bool Settled(V1Pod? p) => p is null || Enumerable.Range(0, rules.StepNames.Length)
            .Select(i => PodStatusReader.Observe(p, rules.StepContainer(i), null))
            .All(seen => seen.StartedAt is null || seen.Terminated);
        using var limit = new CancellationTokenSource(gracePeriod + TimeSpan.FromSeconds(5), _options.TimeProvider);
        try
        {
            while (!Settled(pod))
            {
                var update = await subscription.NextAsync(limit.Token).ConfigureAwait(false);
                pod = update.Pod.Status is null ? pod : update.Pod;
                if (update.Deleted)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            // The step stays without an exit code: it was stopped, when is unknown.
        }

        return pod;
    }

    /// <summary>
    /// The steps as the pod shows them, judged by the attempt's rules: a terminated step's exit
    /// code (the one the step's wrapper recorded in <paramref name="exitCodes"/>, when it ran with
    /// <c>onError: continue</c>) and whether its timeout stopped it; and the first end of the attempt a step decided.
    /// With <paramref name="stopped"/> (an attempt stopped from outside: why, and the steps that had
    /// ended before), a step that ended after was stopped.
    /// </summary>
    private static (List<StepState> Steps, AttemptEnd? End) ReadSteps(V1Pod pod, AttemptRules rules, IReadOnlyDictionary<string, string?> images, DateTimeOffset now,
        IReadOnlyDictionary<string, int>? exitCodes = null, (StepStop Why, IReadOnlySet<string> EndedBefore)? stopped = null)
    {
        var steps = new List<StepState>();
        AttemptEnd? end = null;
        for (var i = 0; i < rules.StepNames.Length; i++)
        {
            var seen = PodStatusReader.Observe(pod, rules.StepContainer(i), images.GetValueOrDefault(rules.StepContainer(i)));
            var state = new StepState { Name = rules.StepNames[i], Container = seen.Container, Image = seen.Image, StartedAt = seen.StartedAt };
            if (seen.ExitCode is { } observed)
            {
                var exitCode = exitCodes?.GetValueOrDefault(seen.Container, observed) ?? observed;
                var why = seen.TimedOut ? StepStop.StepTimeout
                    : stopped is { } s && !s.EndedBefore.Contains(seen.Container) ? s.Why
                    : StepStop.None;
                var verdict = rules.Judge(i, exitCode, why);
                state = AttemptRules.Ended(state, exitCode, verdict.TerminationReason, seen.FinishedAt ?? now);
                end ??= verdict.EndsAttempt;
            }

            steps.Add(state);
        }

        return (steps, end);
    }

    /// <summary>The sidecars as the pod shows them: running, or stopped at the attempt's end.</summary>
    private static List<StepState> ReadSidecars(V1Pod pod, AttemptRules rules, IReadOnlyDictionary<string, string?> images, DateTimeOffset now)
    {
        var sidecars = new List<StepState>();
        for (var i = 0; i < rules.SidecarNames.Length; i++)
        {
            var seen = PodStatusReader.Observe(pod, rules.SidecarContainer(i), images.GetValueOrDefault(rules.SidecarContainer(i)));
            var state = new StepState { Name = rules.SidecarNames[i], Container = seen.Container, Image = seen.Image, StartedAt = seen.StartedAt, FinishedAt = seen.FinishedAt };
            sidecars.Add(seen.ExitCode is { } code ? AttemptRules.SidecarStopped(state, code, now) : state);
        }

        return sidecars;
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

    private async Task<TaskRunOutcome> FinishedAsync(AttemptRules rules, V1Pod pod, bool deleted, IReadOnlyDictionary<string, string?> images, DateTimeOffset start)
    {
        var now = _options.TimeProvider.GetUtcNow();
        var (steps, end) = ReadSteps(pod, rules, images, now);
        var sidecars = ReadSidecars(pod, rules, images, now);
        TaskRunOutcome Ended(AttemptEnd how, IReadOnlyList<StepState> states, ImmutableArray<RunResult> results = default) =>
            AttemptRules.Outcome(how, start, now, rules.Completed(states), sidecars, results);
        if (deleted)
        {
            return Ended(new AttemptEnd(TaskRunPhase.Failed, $"the pod {pod.Metadata.Name} disappeared before it finished (deleted, or its node was lost)"), steps);
        }

        if (pod.Status?.Reason is "Evicted" or "DeadlineExceeded" && pod.Status.Phase == "Failed")
        {
            var phase = pod.Status.Reason == "DeadlineExceeded" ? TaskRunPhase.TimedOut : TaskRunPhase.Failed;
            return Ended(new AttemptEnd(phase, $"the pod was {(phase == TaskRunPhase.TimedOut ? "stopped at its deadline" : "evicted")}: {pod.Status.Message}"), steps);
        }

        if (pod.Status?.Phase != "Succeeded")
        {
            return Ended(end ?? new AttemptEnd(TaskRunPhase.Failed, $"the pod failed: {pod.Status?.Reason} {pod.Status?.Message}".Trim()), steps);
        }

        // Every step container ended well: the report has the exit codes of the steps that
        // continued on error, and the results the steps wrote.
        var report = await ReadReportAsync(pod.Metadata.Name).ConfigureAwait(false);
        (steps, end) = ReadSteps(pod, rules, images, now, report.ExitCodes);
        try
        {
            for (var i = 0; i < steps.Count; i++)
            {
                var written = report.StepResults.Where(r => r.Key.Container == steps[i].Container).ToDictionary(r => r.Key.Name, r => r.Value, StringComparer.Ordinal);
                steps[i] = steps[i] with { Results = rules.StepResults(i, written) };
            }

            return Ended(end ?? AttemptEnd.Succeeded, steps, rules.TaskResults(report.Results, steps));
        }
        catch (AttemptFailure failure)
        {
            return Ended(new AttemptEnd(TaskRunPhase.Failed, failure.Message), steps);
        }
    }

    /// <summary>An attempt stopped from outside (cancelled, or at its timeout): the step that was running ends so, the rest are skipped.</summary>
    private TaskRunOutcome Interrupted(AttemptRules rules, V1Pod? pod, IReadOnlyDictionary<string, string?> images, bool cancelled, IReadOnlySet<string> endedBefore, DateTimeOffset start)
    {
        var now = _options.TimeProvider.GetUtcNow();
        // A pod never seen has no statuses: every step reads as not started, so Skipped.
        var steps = ReadSteps(pod ?? new V1Pod(), rules, images, now, stopped: (cancelled ? StepStop.Cancelled : StepStop.AttemptTimeout, endedBefore)).Steps;
        var sidecars = pod is null ? [] : ReadSidecars(pod, rules, images, now);
        return AttemptRules.Outcome(rules.Interrupted(cancelled), start, now, rules.Completed(steps, AttemptRules.InterruptedReason(cancelled)), sidecars);
    }

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
