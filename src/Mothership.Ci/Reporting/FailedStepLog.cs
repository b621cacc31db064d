namespace Mothership.Ci.Reporting;

/// <summary>The step that failed a job's run, and the end of its log.</summary>
/// <param name="Task">The pipeline task (a TaskRun's own name when the run is one).</param>
/// <param name="Step">The step's name.</param>
/// <param name="ExitCode">Its exit code, or null when it did not end by itself (a timeout, a cancel).</param>
/// <param name="Lines">The last lines of its log, secrets masked, oldest first.</param>
public sealed record FailedStepLog(string Task, string Step, int? ExitCode, IReadOnlyList<string> Lines);
