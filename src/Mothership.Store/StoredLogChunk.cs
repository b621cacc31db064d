namespace Mothership.Store;

/// <summary>A stored chunk with its id (increasing in append order across the whole store).</summary>
public sealed record StoredLogChunk(long Id, LogChunk Chunk);
