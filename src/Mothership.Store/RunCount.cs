namespace Mothership.Store;

/// <summary>One row of <see cref="IRunStore.CountRunsAsync"/>.</summary>
public sealed record RunCount(string Kind, RunPhase Phase, string Reason, long Count);
