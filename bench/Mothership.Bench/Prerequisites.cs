using System.Diagnostics.CodeAnalysis;

namespace Mothership.Testing;

/// <summary>
/// The benchmark's side of the tests' rule for something missing from outside the repository
/// (tests/Shared/Prerequisites.cs skips or fails an xUnit test): <see cref="Fixtures"/>, linked
/// here, calls it; a benchmark has no test to skip, so it stops with the reason.
/// </summary>
public static class Prerequisites
{
    /// <summary>Stops the benchmark because <paramref name="reason"/> names something missing.</summary>
    [DoesNotReturn]
    public static void Missing(string reason, string? onCi = null) =>
        throw new InvalidOperationException(onCi is null ? reason : $"{reason} ({onCi})");
}
