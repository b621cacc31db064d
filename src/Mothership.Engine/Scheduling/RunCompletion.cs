
namespace Mothership.Engine.Scheduling;

/// <summary>How a finished run ended.</summary>
public sealed record RunCompletion(string Status, string Reason, string Message, DateTimeOffset Time);
