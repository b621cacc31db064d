namespace Mothership.Ci.Promotion;

/// <summary>What became of a request to deploy a site.</summary>
/// <param name="Started">Whether a deploy started.</param>
/// <param name="Message">One line for the pull request: the run and its link, or why nothing started (a deploy of the site is running, the revision is unknown…).</param>
/// <param name="Run">The run started; null when none was.</param>
public sealed record DeployStart(bool Started, string Message, string? Run = null);
