namespace Mothership.Store;

/// <summary>A job result not yet final, with its run as it stands; <see cref="Run"/> is null when the run was deleted.</summary>
public sealed record JobResultSync(JobResult Result, RunSummary? Run);
