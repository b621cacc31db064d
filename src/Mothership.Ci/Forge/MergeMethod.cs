namespace Mothership.Ci.Forge;

/// <summary>How a pull request is merged (GitHub's <c>merge_method</c>, Prow's <c>PullRequestMergeType</c>).</summary>
public enum MergeMethod
{
    /// <summary>A merge commit with every commit of the pull request.</summary>
    Merge,

    /// <summary>One commit with the pull request's changes.</summary>
    Squash,

    /// <summary>The pull request's commits replayed onto the base.</summary>
    Rebase,
}
