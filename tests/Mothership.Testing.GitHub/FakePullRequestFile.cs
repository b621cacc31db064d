namespace Mothership.Testing.GitHub;

/// <summary>A file a fake pull request changes.</summary>
/// <param name="Path">Its path after the change.</param>
/// <param name="Status">added, removed, modified, renamed…</param>
/// <param name="Additions">Lines added.</param>
/// <param name="Deletions">Lines removed.</param>
/// <param name="PreviousPath">Its path before a rename, or null.</param>
public sealed record FakePullRequestFile(string Path, string Status = "modified", int Additions = 1, int Deletions = 0, string? PreviousPath = null);
