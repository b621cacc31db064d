using System.Text;

namespace Mothership.Engine.Execution;

/// <summary>How results are limited.</summary>
public enum ResultLimitKind
{
    /// <summary>No limit (local results are plain files).</summary>
    None,

    /// <summary>All results of a TaskRun together (Tekton's termination message, 4 KiB).</summary>
    Total,

    /// <summary>Each result on its own (Tekton's <c>results-from: sidecar-logs</c> and <c>max-result-size</c>).</summary>
    PerResult,
}

/// <summary>The size limit on a TaskRun's results, and Tekton's failure when they exceed it: one rule for every executor.</summary>
public sealed record ResultLimit(ResultLimitKind Kind, int Bytes)
{
    public static ResultLimit None { get; } = new(ResultLimitKind.None, 0);

    /// <summary>Tekton's default: every result of a TaskRun in its pod's 4 KiB termination message.</summary>
    public static ResultLimit TerminationMessage { get; } = Total(4096);

    public static ResultLimit Total(int bytes) => new(ResultLimitKind.Total, bytes);

    public static ResultLimit PerResult(int bytes) => new(ResultLimitKind.PerResult, bytes);

    /// <summary>Why <paramref name="results"/> (name and the bytes written) are too large; null when they fit.</summary>
    public string? Check(IEnumerable<(string Name, string Text)> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        switch (Kind)
        {
            case ResultLimitKind.PerResult:
                var large = results.Select(r => (r.Name, Size: Encoding.UTF8.GetByteCount(r.Text))).Where(r => r.Size > Bytes)
                    .OrderBy(r => r.Name, StringComparer.Ordinal).FirstOrDefault();
                return large.Name is null ? null
                    : $"result \"{large.Name}\" is {large.Size} bytes, more than the {Bytes} one result may be (max-result-size): write large data to a workspace and return its path";
            case ResultLimitKind.Total:
                var size = results.Sum(r => Encoding.UTF8.GetByteCount(r.Text));
                return size <= Bytes ? null
                    : $"the results are {size} bytes, more than the {Bytes} a TaskRun may return (Tekton's termination-message limit; results-from sidecar-logs raises it per result): write large data to a workspace and return its path";
            default:
                return null;
        }
    }
}
