namespace Mothership.Ci.Forge;

/// <summary>A file a pull request changes: what Prow's <c>run_if_changed</c> matches against.</summary>
/// <param name="Path">Its path after the change.</param>
/// <param name="Status">GitHub's word for the change: added, removed, modified, renamed, copied, changed, unchanged.</param>
/// <param name="PreviousPath">Its path before a rename, or null.</param>
/// <param name="Additions">Lines added.</param>
/// <param name="Deletions">Lines removed.</param>
public sealed record ChangedFile(string Path, string Status, string? PreviousPath, int Additions, int Deletions);
