using Microsoft.Extensions.Logging;

namespace Mothership.Server.Hosting;

/// <summary>The server's lines about its settings as written (<see cref="SettingsReader"/>).</summary>
internal static partial class SettingsLog
{
    /// <summary>A key under <c>Mothership</c> that names no setting: ignored, and said once at start.</summary>
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Problem}")]
    public static partial void Unknown(ILogger logger, string problem);
}
