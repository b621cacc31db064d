namespace Mothership.Ci.Forge;

/// <summary>The statuses of a ref: the newest one of each context, and their combination.</summary>
/// <param name="Sha">The commit the ref names.</param>
/// <param name="State">
/// The combination: failure when any is failure or error, pending when any is pending or none was
/// reported, success otherwise.
/// </param>
/// <param name="Statuses">The newest status of each context.</param>
public sealed record CombinedStatus(string Sha, CommitState State, IReadOnlyList<CommitStatus> Statuses);
