namespace Mothership.Testing.GitHub;

/// <summary>A check run's annotation as sent.</summary>
public sealed record FakeCheckAnnotation(string Path, int StartLine, int EndLine, int? StartColumn, int? EndColumn, string Level, string Message, string? Title);
