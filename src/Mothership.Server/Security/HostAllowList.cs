using System.Globalization;
using System.Net;

namespace Mothership.Server.Security;

/// <summary>
/// The <c>Host</c> header values the server answers to, against DNS rebinding: a page at
/// <c>http://evil.example:8080</c> whose name the attacker re-points at 127.0.0.1 reaches this
/// server as a same-origin page, but its requests still say <c>Host: evil.example:8080</c>.
/// Always accepted: <c>localhost</c> and IP literals (a rebinding page is always reached by a
/// name, and a browser sends the name it was given). Anything else must be listed
/// (<see cref="Hosting.ServerOptions.AllowedHosts"/>): <c>name</c> (any port), <c>name:port</c>,
/// or <c>*</c> for any host (when a proxy in front checks it).
/// </summary>
public sealed class HostAllowList
{
    private readonly HashSet<string> _anyPort;
    private readonly HashSet<(string Host, int Port)> _withPort;

    private HostAllowList(bool any, HashSet<string> anyPort, HashSet<(string, int)> withPort)
    {
        AcceptsAny = any;
        _anyPort = anyPort;
        _withPort = withPort;
    }

    /// <summary>Only the names that are always accepted.</summary>
    public static HostAllowList Default { get; } = new(false, new HashSet<string>(StringComparer.Ordinal), []);

    /// <summary>True when <c>*</c> was listed.</summary>
    public bool AcceptsAny { get; }

    /// <summary>
    /// Reads a setting: entries separated by ';' or ','. Returns null, with every bad entry in
    /// <paramref name="errors"/>, when one is not a host, <c>host:port</c> or <c>*</c>.
    /// </summary>
    public static HostAllowList? Parse(string? setting, out IReadOnlyList<string> errors)
    {
        var problems = new List<string>();
        var any = false;
        var anyPort = new HashSet<string>(StringComparer.Ordinal);
        var withPort = new HashSet<(string, int)>();
        foreach (var entry in (setting ?? "").Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (entry == "*")
            {
                any = true;
            }
            else if (TrySplit(entry, out var host, out var port) && IsHostName(host))
            {
                if (port is { } p)
                {
                    withPort.Add((host, p));
                }
                else
                {
                    anyPort.Add(host);
                }
            }
            else
            {
                problems.Add($"'{entry}' is not a host name, HOST:PORT or *");
            }
        }

        errors = problems;
        return problems.Count == 0 ? new HostAllowList(any, anyPort, withPort) : null;
    }

    /// <summary>Whether a request whose <c>Host</c> header is <paramref name="hostHeader"/> may be served.</summary>
    public bool Accepts(string? hostHeader)
    {
        if (string.IsNullOrEmpty(hostHeader) || !TrySplit(hostHeader, out var host, out var port))
        {
            return false;
        }

        if (AcceptsAny || host == "localhost" || IsIpLiteral(host) || _anyPort.Contains(host))
        {
            return true;
        }

        return port is { } p && _withPort.Contains((host, p));
    }

    /// <summary>
    /// <c>host[:port]</c> into a lower-case host without a trailing dot (brackets kept on IPv6) and
    /// an optional port; false when it is neither.
    /// </summary>
    internal static bool TrySplit(string text, out string host, out int? port)
    {
        host = "";
        port = null;
        string portText;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            host = text[..(close + 1)];
            portText = text[(close + 1)..];
        }
        else
        {
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            host = colon < 0 ? text : text[..colon];
            portText = colon < 0 ? "" : text[colon..];
        }

        if (portText.Length > 0)
        {
            if (portText[0] != ':' || !int.TryParse(portText.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
            {
                return false;
            }

            port = p;
        }

        host = host.ToLowerInvariant();
        if (host.EndsWith('.'))
        {
            host = host[..^1];
        }

        return host.Length > 0;
    }

    /// <summary>An IPv4 address in dotted-quad form (as browsers send it) or a bracketed IPv6 address.</summary>
    private static bool IsIpLiteral(string host) =>
        host.StartsWith('[')
            ? host.EndsWith(']') && IPAddress.TryParse(host[1..^1], out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            : IPAddress.TryParse(host, out var v4) && v4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && v4.ToString() == host;

    private static bool IsHostName(string host) => IsIpLiteral(host) || Uri.CheckHostName(host) == UriHostNameType.Dns;
}
