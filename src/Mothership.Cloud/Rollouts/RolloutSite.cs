namespace Mothership.Cloud.Rollouts;

/// <summary>A site as a rollout sees it: <c>site.yaml</c>'s name, region and environment.</summary>
public sealed record RolloutSite(string Name, string Region, string Environment);
