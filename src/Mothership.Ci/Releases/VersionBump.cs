namespace Mothership.Ci.Releases;

/// <summary>Which part of a <c>vX.Y.Z</c> version a release raises.</summary>
public enum VersionBump
{
    /// <summary>Z: fixes and everything else.</summary>
    Patch,

    /// <summary>Y (Z back to 0): a <c>kind/feature</c> pull request.</summary>
    Minor,

    /// <summary>X (Y and Z back to 0): a <c>release-note-action-required</c> pull request.</summary>
    Major,
}
