namespace Mothership.Model.Diagnostics;

/// <summary>A point in a source file, 1-based, as editors and compilers print it.</summary>
public sealed record SourceLocation(string File, int Line, int Column)
{
    /// <summary>A location for values that did not come from a file (command-line flags, defaults).</summary>
    public static SourceLocation None { get; } = new("<none>", 0, 0);

    public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}" : File;
}

/// <summary>How bad a diagnostic is.</summary>
public enum Severity
{
    Error,
    Warning,
}

/// <summary>A user mistake, reported with where it is and what to do about it.</summary>
public sealed record Diagnostic(SourceLocation Location, Severity Severity, string Message)
{
    public static Diagnostic Error(SourceLocation location, string message) => new(location, Severity.Error, message);

    public static Diagnostic Warning(SourceLocation location, string message) => new(location, Severity.Warning, message);

    /// <summary>The compiler-style line: <c>FILE:LINE:COL: error: MESSAGE</c>.</summary>
    public override string ToString() =>
        $"{Location}: {(Severity == Severity.Error ? "error" : "warning")}: {Message}";
}

/// <summary>Collects diagnostics so that every problem is reported at once, not just the first.</summary>
public sealed class DiagnosticBag
{
    private readonly List<Diagnostic> _items = [];

    public IReadOnlyList<Diagnostic> Items => _items;

    public bool HasErrors => _items.Any(d => d.Severity == Severity.Error);

    public void Error(SourceLocation location, string message) => _items.Add(Diagnostic.Error(location, message));

    public void Warning(SourceLocation location, string message) => _items.Add(Diagnostic.Warning(location, message));

    public void AddRange(IEnumerable<Diagnostic> diagnostics) => _items.AddRange(diagnostics);

    /// <summary>Diagnostics in file order, duplicates removed.</summary>
    public IReadOnlyList<Diagnostic> Sorted() =>
        _items.Distinct()
            .OrderBy(d => d.Location.File, StringComparer.Ordinal)
            .ThenBy(d => d.Location.Line)
            .ThenBy(d => d.Location.Column)
            .ToList();
}

/// <summary>Thrown when input cannot be used; carries every diagnostic found.</summary>
public sealed class InvalidInputException(IReadOnlyList<Diagnostic> diagnostics)
    : Exception(string.Join(Environment.NewLine, diagnostics))
{
    public IReadOnlyList<Diagnostic> Diagnostics { get; } = diagnostics;
}
