namespace Mothership.Cli.Output.Progress;

/// <summary>A task as the view draws it: state, how long it ran (or has been running), its estimate.</summary>
internal sealed record ProgressTaskView(string Name, ProgressTaskState State, TimeSpan? Duration, TimeSpan? Estimate, string? Reason);
