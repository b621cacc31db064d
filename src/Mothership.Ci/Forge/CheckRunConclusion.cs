namespace Mothership.Ci.Forge;

/// <summary>How a completed check run ended (the values of GitHub's <c>conclusion</c> that a CI bot reports).</summary>
public enum CheckRunConclusion
{
    /// <summary>Passed.</summary>
    Success,

    /// <summary>Failed (GitHub blocks a required check with it).</summary>
    Failure,

    /// <summary>Stopped before it ended.</summary>
    Cancelled,

    /// <summary>Neither passed nor failed (GitHub lets a required check with it pass).</summary>
    Neutral,
}
