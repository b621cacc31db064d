using Microsoft.Extensions.Logging;

namespace Mothership.Ci.Periodics;

public sealed partial class PeriodicScheduler
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Periodic {Job} due at {Due}: started {Run}")]
    private static partial void LogStarted(ILogger logger, string job, string run, DateTimeOffset due);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Periodic {Job} could not start {Run}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string job, string run, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Periodic {Job}: the head of {Repository}@{Branch} is unknown ({Reason}); the checkout takes the branch head it fetches")]
    private static partial void LogNoBranchHead(ILogger logger, string job, string repository, string branch, string reason);
}
