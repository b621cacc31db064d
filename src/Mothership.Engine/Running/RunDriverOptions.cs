namespace Mothership.Engine.Running;

/// <summary>Options of the driver.</summary>
public sealed class RunDriverOptions
{
    /// <summary>How many TaskRun attempts of this run execute at once. Default: the number of processors, at least 2.</summary>
    public int Parallelism { get; init; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>Time source for deadlines. Default: the system clock.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>A host-wide limit on running attempts, shared by all runs. Default: none.</summary>
    public IAttemptGate? Gate { get; init; }
}
