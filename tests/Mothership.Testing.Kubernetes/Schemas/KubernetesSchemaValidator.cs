using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mothership.Testing.Kubernetes.Schemas;

/// <summary>
/// The node program <c>schema-validator/validate.mjs</c>, started once per test process and kept
/// running: it checks objects with the validators that the npm package <c>kubernetes-models</c>
/// generates from Kubernetes' OpenAPI schemas (versions pinned by <c>schema-validator/package-lock.json</c>).
/// One request a line on its stdin, one answer a line on its stdout, matched by id, so callers on
/// any thread share it without waiting for each other's answers.
/// </summary>
/// <remarks>
/// A check costs a pipe round trip and the validator's walk of the object, well under a
/// millisecond for a pod (the Kubernetes benchmark creates 1,000), never a process.
/// Node.js and the packages must be installed: <c>./test</c> runs <c>npm ci</c> when
/// <c>node_modules</c> is missing. Without them every check throws, saying how to install them,
/// rather than letting objects through unchecked.
/// </remarks>
public sealed class KubernetesSchemaValidator : IDisposable
{
    /// <summary>How long one answer may take: the first waits for node to load the validators, on a loaded 2-core CI machine.</summary>
    private static readonly TimeSpan AnswerLimit = TimeSpan.FromSeconds(60);

    private static readonly Lazy<KubernetesSchemaValidator> SharedValidator = new(() => Start(ValidatorDirectory), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly Process _process;
    private readonly StreamWriter _input;
    private readonly Lock _writeGate = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonObject>> _pending = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private long _nextId;
    private volatile Exception? _failure;

    private KubernetesSchemaValidator(Process process)
    {
        _process = process;
        _input = process.StandardInput;
        _input.AutoFlush = false;
        process.ErrorDataReceived += (sender, e) =>
        {
            if (e.Data is { } line)
            {
                _stderr.Enqueue(line);
                while (_stderr.Count > 50 && _stderr.TryDequeue(out _))
                {
                }
            }
        };
        process.BeginErrorReadLine();

        // A thread of its own, not the thread pool: callers block on their answers (the fake's
        // object creation is synchronous), and the thread that brings the answers must not wait
        // in the same queue as them.
        new Thread(ReadAnswers) { IsBackground = true, Name = "kubernetes-schema-validator" }.Start();
    }

    /// <summary>The validator of this process, started on first use and ended when the process ends.</summary>
    public static KubernetesSchemaValidator Shared => SharedValidator.Value;

    /// <summary>The folder holding <c>validate.mjs</c>, its <c>package.json</c> and <c>package-lock.json</c>, and once installed <c>node_modules</c>.</summary>
    public static string ValidatorDirectory =>
        typeof(KubernetesSchemaValidator).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "Mothership.SchemaValidatorDirectory")?.Value
        ?? throw new InvalidOperationException("the build did not record where schema-validator/ is (AssemblyMetadata Mothership.SchemaValidatorDirectory)");

    /// <summary>Starts <c>node validate.mjs</c> in <paramref name="directory"/>; throws, saying how to install them, when node or the packages are missing.</summary>
    public static KubernetesSchemaValidator Start(string directory)
    {
        if (!File.Exists(Path.Combine(directory, "node_modules", "kubernetes-models", "package.json")))
        {
            throw new InvalidOperationException(NotInstalled(directory, $"its npm packages are not installed ({Path.Combine(directory, "node_modules")} has no kubernetes-models)"));
        }

        var psi = new ProcessStartInfo("node")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add(Path.Combine(directory, "validate.mjs"));
        try
        {
            return new KubernetesSchemaValidator(Process.Start(psi) ?? throw new InvalidOperationException("node did not start"));
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException(NotInstalled(directory, $"node could not be started ({e.Message})"), e);
        }
    }

    /// <summary>
    /// The fields of <paramref name="obj"/> that the schema of <paramref name="kind"/> refuses, in
    /// the API server's words; empty when it is valid. An absent <c>apiVersion</c> or <c>kind</c>
    /// is taken from <paramref name="kind"/>, as the API server takes them from the request's path.
    /// </summary>
    public IReadOnlyList<FieldViolation> Validate(string kind, JsonObject obj)
    {
        var id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        try
        {
            if (_failure is { } failed)
            {
                throw Broken(failed);
            }

            var line = $"{{\"id\":{id.ToString(CultureInfo.InvariantCulture)},\"kind\":{JsonSerializer.Serialize(kind)},\"object\":{obj.ToJsonString()}}}";
            lock (_writeGate)
            {
                try
                {
                    _input.Write(line);
                    _input.Write('\n');
                    _input.Flush();
                }
                catch (IOException e)
                {
                    throw Broken(_failure ?? e);
                }
            }

            // A blocking wait on the task itself, not on a continuation: the answer is set by the
            // reader thread, so nothing here waits for the thread pool.
            if (!answer.Task.Wait(AnswerLimit))
            {
                throw new TimeoutException($"the Kubernetes schema validator (node {ValidatorDirectory}/validate.mjs) did not answer within {AnswerLimit.TotalSeconds:0} s{StderrTail()}");
            }

            var result = answer.Task.Result;
            if ((string?)result["error"] is { } error)
            {
                throw new InvalidOperationException($"the Kubernetes schema validator could not check a {kind}: {error}");
            }

            return [.. (result["violations"]?.AsArray() ?? []).Select(v => new FieldViolation(
                (string?)v?["field"] ?? "", (string?)v?["reason"] ?? "FieldValueInvalid", (string?)v?["message"] ?? ""))];
        }
        catch (AggregateException e) when (e.InnerExceptions is [var inner])
        {
            throw Broken(inner);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    public void Dispose()
    {
        // Closing stdin ends the program; kill it if it does not end by itself.
        try
        {
            _input.Close();
        }
        catch (IOException)
        {
            // Already gone: nothing left to close.
        }

        if (!_process.WaitForExit(TimeSpan.FromSeconds(5)))
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private void ReadAnswers()
    {
        try
        {
            while (_process.StandardOutput.ReadLine() is { } line)
            {
                var answer = JsonNode.Parse(line)!.AsObject();
                if ((long?)answer["id"] is { } id && _pending.TryGetValue(id, out var waiting))
                {
                    waiting.TrySetResult(answer);
                }
                else if ((string?)answer["error"] is { } error)
                {
                    // An answer for no request (a line node could not read): nobody to give it to, so every caller hears of it.
                    Fail(new InvalidOperationException("the Kubernetes schema validator could not read a request: " + error));
                    return;
                }
            }

            _process.WaitForExit(TimeSpan.FromSeconds(5));
            var code = _process.HasExited ? _process.ExitCode.ToString(CultureInfo.InvariantCulture) : "unknown";
            Fail(new InvalidOperationException($"the Kubernetes schema validator (node {ValidatorDirectory}/validate.mjs) exited with code {code}{StderrTail()}"));
        }
        catch (Exception e) when (e is IOException or JsonException or InvalidOperationException or ObjectDisposedException)
        {
            Fail(new InvalidOperationException($"the Kubernetes schema validator's answers could not be read: {e.Message}{StderrTail()}", e));
        }
    }

    private void Fail(Exception failure)
    {
        _failure = failure;
        foreach (var waiting in _pending.Values)
        {
            waiting.TrySetException(failure);
        }
    }

    private static InvalidOperationException Broken(Exception failure) =>
        failure as InvalidOperationException ?? new InvalidOperationException("the Kubernetes schema validator failed: " + failure.Message, failure);

    private string StderrTail() => _stderr.IsEmpty ? "" : ":\n" + string.Join('\n', _stderr);

    private static string NotInstalled(string directory, string what)
    {
        var message = $"Kubernetes schema validation cannot run: {what}. It needs Node.js 20 or newer on PATH (Debian: apt-get install nodejs npm) " +
                      $"and the packages pinned in {directory}/package-lock.json: run `npm ci --prefix {directory}` (./test does it when node_modules is missing).";
        return Environment.GetEnvironmentVariable("CI") == "true"
            ? message + " CI=true: .ci/run must install Node.js and run ./test, which installs the packages; the fake API server checks no object without them."
            : message;
    }
}
