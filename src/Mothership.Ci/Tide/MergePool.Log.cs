using Microsoft.Extensions.Logging;
using Mothership.Ci.Forge;

namespace Mothership.Ci.Tide;

public sealed partial class MergePool
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Merge pool: merged {Repository}#{Number} at {Sha} ({Method})")]
    private static partial void LogMerged(ILogger logger, string repository, int number, string sha, MergeMethod method);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Merge pool: {Repository}#{Number} not merged ({Outcome}): {Reason}")]
    private static partial void LogNotMerged(ILogger logger, string repository, int number, MergeOutcome outcome, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Merge pool: retesting {Repository}#{Number} on {BaseSha}: {Jobs}")]
    private static partial void LogRetest(ILogger logger, string repository, int number, string baseSha, string jobs);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Merge pool: batch {Pulls} of {Repository} on {Branch} at {BaseSha}")]
    private static partial void LogBatch(ILogger logger, string repository, string branch, string baseSha, string pulls);
}
