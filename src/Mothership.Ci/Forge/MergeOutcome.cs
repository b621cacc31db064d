namespace Mothership.Ci.Forge;

/// <summary>How a merge request came out (GitHub's answers to <c>PUT /repos/{o}/{r}/pulls/{n}/merge</c>).</summary>
public enum MergeOutcome
{
    /// <summary>200: merged.</summary>
    Merged,

    /// <summary>405: the forge refuses (conflicts, branch protection, a method the repository forbids).</summary>
    NotMergeable,

    /// <summary>409: the head is no longer the commit that was tested.</summary>
    HeadModified,
}
