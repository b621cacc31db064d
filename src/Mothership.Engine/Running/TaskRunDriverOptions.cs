using Mothership.Engine.Execution;

namespace Mothership.Engine.Running;

/// <summary>Hooks of a durable host around <see cref="TaskRunDriver"/>.</summary>
public sealed record TaskRunDriverOptions
{
    /// <summary>Called with the retry count and outcome of an attempt that ended, before the next one starts (a store persists it here).</summary>
    public Func<int, TaskRunOutcome, ValueTask>? OnAttemptEnded { get; init; }

    /// <summary>A host-wide limit on running attempts. Default: none.</summary>
    public IAttemptGate? Gate { get; init; }

    /// <summary>Prepares each attempt's request just before it runs (e.g. cleans up after a crash).</summary>
    public Func<TaskRunRequest, TaskRunRequest>? Prepare { get; init; }

    /// <summary>Time source for attempts that end without running. Default: the system clock.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
