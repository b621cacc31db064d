namespace Mothership.Store;

/// <summary>A journal entry as stored.</summary>
public sealed record JournalEntry(long Seq, string Entry);
