using Mothership.Store;

namespace Mothership.Server.Rollouts;

/// <summary>How a request to start, or act on, a rollout was answered: done (<see cref="Rollout"/>), or the HTTP status and why not.</summary>
internal sealed record RolloutAnswer(int Status, RolloutRecord? Rollout = null, string? Field = null, string? Message = null);
