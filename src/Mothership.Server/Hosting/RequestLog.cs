using Microsoft.Extensions.Logging;

namespace Mothership.Server.Hosting;

/// <summary>The server's one line for a request it refused on purpose (503 while the database is down, 413, 400).</summary>
internal static partial class RequestLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} answered {Status}: {Reason}")]
    public static partial void Refused(ILogger logger, string method, string path, int status, string reason);
}
