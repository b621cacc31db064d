namespace Mothership.Ci.Reporting;

/// <summary>What the reporter reads of a job's run beyond its state: the failed step and its log (the server's log store).</summary>
public interface IJobLogs
{
    /// <summary>
    /// The first step that failed in run <paramref name="uid"/>, with the last <paramref name="maxLines"/>
    /// lines of its log, secrets masked; null when no step failed (or the run is gone).
    /// </summary>
    Task<FailedStepLog?> FailedStepAsync(string uid, int maxLines, CancellationToken cancellationToken);
}
