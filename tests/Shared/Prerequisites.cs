using System.Diagnostics.CodeAnalysis;

namespace Mothership.Testing;

/// <summary>
/// The one rule for something a test needs from outside the repository (the shared fixtures,
/// PostgreSQL's binaries, Chromium): on a developer's machine a missing one skips the test with
/// the reason; on CI it fails the test, because there its absence means the pipeline is broken
/// and a green run would hide that nothing was tested.
/// </summary>
public static class Prerequisites
{
    /// <summary>
    /// True when the environment variable <c>CI</c> is set, as every CI system sets it
    /// (<c>CI=true</c>; also <c>1</c> and the like). Unset, empty, <c>false</c> or <c>0</c> mean a
    /// developer's machine.
    /// </summary>
    public static bool OnCi => Environment.GetEnvironmentVariable("CI") is { Length: > 0 } ci
        && !string.Equals(ci, "false", StringComparison.OrdinalIgnoreCase)
        && ci != "0";

    /// <summary>
    /// Ends the calling test because <paramref name="reason"/> names something missing: skipped
    /// off CI, failed on CI. <paramref name="onCi"/> says what CI should have done about it.
    /// </summary>
    [DoesNotReturn]
    public static void Missing(string reason, string? onCi = null)
    {
        if (OnCi)
        {
            Assert.Fail($"{reason}. CI is set, so a missing prerequisite fails the run instead of skipping{(onCi is null ? "" : ": " + onCi)}");
        }

        Assert.Skip(reason);
    }
}
