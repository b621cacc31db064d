using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Mothership.Testing;

/// <summary>
/// One HTTP request as a <see cref="StandInHttpServer"/> received it; the target is as sent: a
/// path, or an absolute URL when the client used the server as its proxy.
/// </summary>
public sealed record StandInRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>What a <see cref="StandInHttpServer"/> answers.</summary>
public sealed record StandInResponse(int Status, string Body, string ContentType = "text/plain");

/// <summary>
/// A local stand-in for a server on the network (a web site, GitHub's API, a chat webhook) that
/// tasks reach over plain HTTP/1.1: it answers each request with what <c>answer</c> returns and
/// keeps every request for the test to check. Given as a step's <c>http_proxy</c>, it also stands
/// in for any host, as a forward proxy sees absolute URLs. One request per connection, which
/// curl, wget and Python's http.client all handle; deliberately no TLS.
/// </summary>
public sealed class StandInHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<StandInRequest, StandInResponse> _answer;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly ConcurrentQueue<StandInRequest> _requests = new();

    private StandInHttpServer(TcpListener listener, Func<StandInRequest, StandInResponse> answer)
    {
        _listener = listener;
        _answer = answer;
        _loop = Task.Run(AcceptAsync);
    }

    /// <summary>The port it listens on, on 127.0.0.1.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary><c>http://127.0.0.1:PORT</c>.</summary>
    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>Every request received so far, in order.</summary>
    public IReadOnlyList<StandInRequest> Requests => [.. _requests];

    /// <summary>Starts listening on 127.0.0.1:<paramref name="port"/> (0: any free port).</summary>
    public static StandInHttpServer Start(Func<StandInRequest, StandInResponse> answer, int port = 0)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        return new StandInHttpServer(listener, answer);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = await ReadHeadAsync(stream);
                var lines = head.Split("\r\n");
                var start = lines[0].Split(' ');
                var headers = lines.Skip(1).Where(l => l.Contains(':', StringComparison.Ordinal))
                    .Select(l => l.Split(':', 2))
                    .GroupBy(p => p[0].Trim(), StringComparer.OrdinalIgnoreCase)
                    .ToDictionary(g => g.Key, g => g.Last()[1].Trim(), StringComparer.OrdinalIgnoreCase);
                var length = headers.TryGetValue("Content-Length", out var l) ? int.Parse(l, System.Globalization.CultureInfo.InvariantCulture) : 0;
                var body = new byte[length];
                await stream.ReadExactlyAsync(body, _stop.Token);
                var request = new StandInRequest(start[0], start.Length > 1 ? start[1] : "", headers, Encoding.UTF8.GetString(body));
                _requests.Enqueue(request);
                var response = _answer(request);
                var content = Encoding.UTF8.GetBytes(response.Body);
                var reply = $"HTTP/1.1 {response.Status} {(response.Status < 400 ? "OK" : "Error")}\r\nContent-Type: {response.ContentType}\r\nContent-Length: {content.Length}\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(reply), _stop.Token);
                await stream.WriteAsync(content, _stop.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or EndOfStreamException or FormatException)
            {
                // A client that went away or sent garbage: nothing to answer.
            }
        }
    }

    private async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 64 * 1024)
        {
            if (await stream.ReadAsync(one, _stop.Token) == 0)
            {
                throw new EndOfStreamException();
            }

            head.Add(one[0]);
            if (head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n')
            {
                return Encoding.ASCII.GetString([.. head]);
            }
        }

        throw new EndOfStreamException();
    }
}
