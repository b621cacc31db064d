
namespace Mothership.Engine.Journal;

/// <summary>Someone asked the run to stop: <c>Cancelled</c>, <c>CancelledRunFinally</c> or <c>StoppedRunFinally</c>.</summary>
public sealed record CancelRequested(string Request) : JournalEvent;
