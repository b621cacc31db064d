namespace Mothership.Store;

/// <summary>A run claimed by <see cref="IRunStore.ClaimRunsAsync"/>; <see cref="PreviousOwner"/> is set on a takeover.</summary>
public sealed record ClaimedRun(RunRecord Run, string? PreviousOwner);
