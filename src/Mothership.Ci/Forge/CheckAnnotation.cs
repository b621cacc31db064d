namespace Mothership.Ci.Forge;

/// <summary>
/// A line a check run points at in a file of the repository, reported as a failure (GitHub's
/// <c>annotation_level: failure</c>).
/// </summary>
/// <param name="Path">The file, relative to the repository's root (<c>src/main.go</c>).</param>
/// <param name="Line">The line, from 1.</param>
/// <param name="Column">The column, from 1; null when the message names none.</param>
/// <param name="Message">What is wrong there.</param>
public sealed record CheckAnnotation(string Path, int Line, int? Column, string Message);
