using Mothership.Model.Loading;

namespace Mothership.Ci.Plugins.ReleaseNote;

/// <summary><c>plugins.yaml</c>'s <c>release_note</c> section (Prow's <c>plugins.ReleaseNote</c>).</summary>
public sealed record ReleaseNoteOptions
{
    /// <summary>No section.</summary>
    public static ReleaseNoteOptions Default { get; } = new();

    /// <summary>The page explaining the release note process, linked from the plugin's comment; empty when not set.</summary>
    public string GuidelinesUrl { get; init; } = "";

    /// <summary>Reads the <c>release_note</c> section.</summary>
    internal static ReleaseNoteOptions Read(MapReader root)
    {
        if (root.Map("release_note") is not { } r)
        {
            return Default;
        }

        var options = new ReleaseNoteOptions { GuidelinesUrl = r.String("guidelines_url") ?? "" };
        r.CheckUnknown();
        return options;
    }
}
