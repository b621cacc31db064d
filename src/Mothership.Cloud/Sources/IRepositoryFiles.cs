namespace Mothership.Cloud.Sources;

/// <summary>
/// The files of a site repository as of one state: the working tree or a git revision. Paths are
/// relative to the site repository's root and use <c>/</c>.
/// </summary>
public interface IRepositoryFiles
{
    /// <summary>What state this is, for messages and the plan: <c>working tree</c> or a revision.</summary>
    string Revision { get; }

    /// <summary>The text of <paramref name="path"/>, or null when it does not exist in this state.</summary>
    string? ReadText(string path);

    /// <summary>
    /// A value that changes exactly when <paramref name="path"/>'s content does (null when absent):
    /// git's blob id for a revision, a content hash on disk. Change detection compares these.
    /// </summary>
    string? Fingerprint(string path);

    /// <summary>Every file under <paramref name="directory"/> (recursively), as repository paths, sorted.</summary>
    IReadOnlyList<string> List(string directory);

    /// <summary>The directory names directly under <paramref name="directory"/>, sorted.</summary>
    IReadOnlyList<string> Directories(string directory);
}
