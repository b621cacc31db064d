namespace Mothership.Cloud.Rollouts;

/// <summary>The whole rollout changed status: one event of the durable rollout.</summary>
public sealed record RolloutStatusChange(RolloutStatus From, RolloutStatus To, string Reason, string Message, DateTimeOffset At);
