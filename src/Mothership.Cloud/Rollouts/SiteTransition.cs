namespace Mothership.Cloud.Rollouts;

/// <summary>A site changed state: one event, and one store write, of the durable rollout.</summary>
public sealed record SiteTransition(string Site, SiteRolloutState From, SiteRolloutState To, string Reason, string Message, DateTimeOffset At);
