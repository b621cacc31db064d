using System.Globalization;

namespace Mothership.Ci.Releases;

/// <summary>
/// The semver rule for a production release's tag: the previous <c>vX.Y.Z</c> raised by the
/// largest bump its pull requests ask for — an action-required note a major, a
/// <c>kind/feature</c> a minor, anything else a patch — unless an explicit bump overrides it.
/// Notes left out of the document (<see cref="ReleaseNote.DoNotPublish"/>) count too.
/// </summary>
public static class ReleaseVersion
{
    /// <summary>The bump <paramref name="notes"/> ask for (patch when there are none).</summary>
    public static VersionBump BumpFor(IEnumerable<ReleaseNote> notes)
    {
        ArgumentNullException.ThrowIfNull(notes);
        var bump = VersionBump.Patch;
        foreach (var note in notes)
        {
            if (note.ActionRequired)
            {
                return VersionBump.Major;
            }

            if (note.Kinds.Contains(ReleaseNoteKinds.Feature, StringComparer.Ordinal))
            {
                bump = VersionBump.Minor;
            }
        }

        return bump;
    }

    /// <summary>
    /// The next version after <paramref name="previous"/> (<c>vX.Y.Z</c> or <c>X.Y.Z</c>), always
    /// written <c>vX.Y.Z</c>; <paramref name="bumpOverride"/>, when given, replaces the rule.
    /// Throws <see cref="FormatException"/> for anything but three decimal numbers (a pre-release
    /// such as <c>v1.2.0-rc.1</c> included: its next version is a choice, not a rule).
    /// </summary>
    public static string Next(string previous, IEnumerable<ReleaseNote> notes, VersionBump? bumpOverride = null)
    {
        var (major, minor, patch) = Parse(previous);
        return (bumpOverride ?? BumpFor(notes)) switch
        {
            VersionBump.Major => Format(checked(major + 1), 0, 0),
            VersionBump.Minor => Format(major, checked(minor + 1), 0),
            _ => Format(major, minor, checked(patch + 1)),
        };
    }

    /// <summary>Reads <c>vX.Y.Z</c> (or <c>X.Y.Z</c>): three decimal numbers without leading zeros.</summary>
    public static (int Major, int Minor, int Patch) Parse(string version)
    {
        var text = version ?? "";
        var parts = (text.StartsWith('v') ? text[1..] : text).Split('.');
        if (parts.Length != 3 || !parts.All(IsNumber))
        {
            throw new FormatException($"'{text}' is not a release version: write vMAJOR.MINOR.PATCH, e.g. v1.4.2");
        }

        return (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture));
    }

    private static bool IsNumber(string part) =>
        part.Length is > 0 and <= 9 && part.All(char.IsAsciiDigit) && (part.Length == 1 || part[0] != '0');

    private static string Format(int major, int minor, int patch) => string.Create(CultureInfo.InvariantCulture, $"v{major}.{minor}.{patch}");
}
