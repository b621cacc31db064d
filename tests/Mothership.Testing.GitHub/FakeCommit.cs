namespace Mothership.Testing.GitHub;

/// <summary>A commit made through the contents API: one file written on a branch.</summary>
public sealed record FakeCommit(string Sha, string? Parent, string Branch, string Path, string Message, string Author);
