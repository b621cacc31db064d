namespace Mothership.Ci.Forge;

/// <summary>One entry of a directory at a ref, as GitHub's contents API lists it.</summary>
/// <param name="Name">Its name in the directory (<c>pull-request.yaml</c>).</param>
/// <param name="Path">Its path from the repository's root (<c>.tekton/pull-request.yaml</c>).</param>
/// <param name="Type">GitHub's word for it: <c>file</c>, <c>dir</c>, <c>symlink</c> or <c>submodule</c>.</param>
public sealed record DirectoryEntry(string Name, string Path, string Type)
{
    /// <summary>GitHub's <c>type</c> of a regular file.</summary>
    public const string File = "file";

    /// <summary>GitHub's <c>type</c> of a directory.</summary>
    public const string Directory = "dir";
}
