using System.Globalization;
using System.Net.Sockets;
using k8s.Models;

namespace Mothership.Testing.Kubernetes.Kubelet;

/// <summary>What a container looks like from inside, so a probe's command can run where the container's runs.</summary>
internal sealed record ContainerSandbox(string Hostname, IReadOnlyList<Mount> Mounts, string WorkingDir, IReadOnlyDictionary<string, string> Environment);

/// <summary>One probe's outcome; <see cref="Output"/> says why it failed, as the kubelet's Unhealthy event does.</summary>
internal sealed record ProbeResult(bool Success, string Output);

/// <summary>
/// Runs one try of a probe the way the kubelet's prober does: <c>exec</c> (exit code 0, within
/// <c>timeoutSeconds</c>), <c>tcpSocket</c> (the connection opens) and <c>httpGet</c> (a status from
/// 200 to 399). Pods share the host's network here (pod IP 127.0.0.1), so ports are the host's.
/// </summary>
/// <remarks>
/// An exec probe runs its command in a fresh sandbox with the container's mounts, working directory
/// and environment, not inside the container's own: the volumes are the same, only the container's
/// private <c>/tmp</c> differs. <c>grpc</c> probes are not simulated and always fail, saying so.
/// </remarks>
internal static class Prober
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler
    {
        // The kubelet does not follow redirects to other hosts and skips certificate checks for https probes.
        AllowAutoRedirect = false,
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    });

    public static async Task<ProbeResult> RunAsync(V1Probe probe, V1Container container, ContainerSandbox sandbox, string bubblewrap, TimeProvider time, CancellationToken ct)
    {
        var timeout = TimeSpan.FromSeconds(Math.Max(1, probe.TimeoutSeconds ?? 1));
        if (probe.Exec is { Command: { Count: > 0 } command })
        {
            return await ExecAsync(command, sandbox, bubblewrap, timeout, time).ConfigureAwait(false);
        }

        if (probe.TcpSocket is { } tcp)
        {
            var port = Port(tcp.Port, container);
            using var client = new TcpClient();
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(timeout);
            try
            {
                await client.ConnectAsync(tcp.Host ?? "127.0.0.1", port, limit.Token).ConfigureAwait(false);
                return new ProbeResult(true, "");
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                return new ProbeResult(false, $"dial tcp {tcp.Host ?? "127.0.0.1"}:{port}: {e.Message}");
            }
        }

        if (probe.HttpGet is { } http)
        {
            var port = Port(http.Port, container);
            var uri = new UriBuilder((http.Scheme ?? "HTTP").ToLowerInvariant(), http.Host ?? "127.0.0.1", port, http.Path ?? "/").Uri;
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(timeout);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, uri);
                foreach (var header in http.HttpHeaders ?? [])
                {
                    request.Headers.TryAddWithoutValidation(header.Name, header.Value);
                }

                using var response = await Http.SendAsync(request, limit.Token).ConfigureAwait(false);
                var code = (int)response.StatusCode;
                return new ProbeResult(code is >= 200 and < 400, $"HTTP probe failed with statuscode: {code}");
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                return new ProbeResult(false, $"Get \"{uri}\": {e.Message}");
            }
        }

        return new ProbeResult(false, "the fake kubelet runs exec, tcpSocket and httpGet probes only");
    }

    private static async Task<ProbeResult> ExecAsync(IList<string> command, ContainerSandbox sandbox, string bubblewrap, TimeSpan timeout, TimeProvider time)
    {
        var output = new List<string>();
        var arguments = SandboxLayout.Arguments(sandbox.Hostname, sandbox.Mounts, sandbox.WorkingDir, [.. command]);
        var process = await ContainerProcess.StartAsync(bubblewrap, arguments, sandbox.Environment, line =>
        {
            lock (output)
            {
                output.Add(line);
            }
        }).ConfigureAwait(false);
        await using (process.ConfigureAwait(false))
        {
            using var limit = new CancellationTokenSource(timeout, time);
            try
            {
                var code = await process.Exited.WaitAsync(limit.Token).ConfigureAwait(false);
                lock (output)
                {
                    return new ProbeResult(code == 0, string.Join('\n', output));
                }
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                return new ProbeResult(false, $"command \"{string.Join(' ', command)}\" timed out");
            }
        }
    }

    /// <summary>A probe's port: a number, or the name of one of the container's ports.</summary>
    private static int Port(IntOrString port, V1Container container)
    {
        var value = port.Value ?? "";
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        return container.Ports?.FirstOrDefault(p => p.Name == value)?.ContainerPort
            ?? throw new KubeletException("InvalidProbe", $"the probe names port \"{value}\", which the container does not declare", retryable: false);
    }
}
