
namespace Mothership.Engine.Journal;

/// <summary>Something that changed a run's state between two decisions.</summary>
public abstract record JournalEvent;
