
namespace Mothership.Engine.Journal;

/// <summary>
/// One persisted step of a run. A run's journal is the list of its records in order; replaying
/// it through the pure scheduler (<see cref="RunReplay"/>) rebuilds the exact state the run had,
/// so a server that crashed can continue every run where it stopped.
/// </summary>
public abstract record JournalRecord;
