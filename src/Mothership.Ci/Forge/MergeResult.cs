namespace Mothership.Ci.Forge;

/// <summary>The answer to a merge: the outcome, the new commit when merged, and the forge's message.</summary>
/// <param name="Outcome">Merged, or why not.</param>
/// <param name="Sha">The commit the merge made on the base; null when not merged.</param>
/// <param name="Message">The forge's message (<c>Pull Request successfully merged</c>, <c>Head branch was modified…</c>).</param>
public sealed record MergeResult(MergeOutcome Outcome, string? Sha, string Message);
