using Mothership.Store;

namespace Mothership.Server.Watching;

/// <summary>
/// What a run's <see cref="RunLogTail"/> hands its followers: chunks stored since its last read,
/// in id order, or (<see cref="Ended"/>) the run's end with how it ended, after its last chunk.
/// </summary>
internal sealed record LogTailBatch(IReadOnlyList<StoredLogChunk> Chunks, bool Ended = false, string? Status = null, string? Reason = null);
