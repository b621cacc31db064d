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

    /// <summary>
    /// The driver decides and starts the next attempts on the thread that ended an attempt, with
    /// no hand-off to another thread (bench/RESULTS.md, "One thread from a step's end to the next
    /// start"): for a host that drives one run at a time, <c>mship run</c>. Default <c>false</c>,
    /// each on a pool thread: in the server, attempts of many runs end on the store's group-commit
    /// thread, and deciding every run there in turn cost throughput (10,000 queued one-task runs:
    /// 261–263 runs/s and 62 s of CPU, against 270–280 runs/s and 57–60 s).
    /// </summary>
    public bool OnEndingThread { get; init; }
}
