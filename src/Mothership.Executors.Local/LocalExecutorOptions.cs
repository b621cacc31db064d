using Mothership.Engine.Execution;

namespace Mothership.Executors.Local;

/// <summary>Settings of the <see cref="LocalTaskExecutor"/>.</summary>
public sealed class LocalExecutorOptions
{
    /// <summary>
    /// Where attempt directories live: <c>Root/&lt;RunUid&gt;/&lt;TaskRunUid&gt;.attempt-&lt;RetryCount&gt;/</c>,
    /// removed with their run.
    /// Persistent volume claims go next to it, in <c>Root/../volumes/&lt;claimName&gt;</c>.
    /// Default: <c>.mothership/runs</c> under the current directory when the options are created.
    /// </summary>
    public string Root { get; set; } = Path.Combine(Environment.CurrentDirectory, ".mothership", "runs");

    /// <summary>
    /// Runs every step under bubblewrap with a read-only host, private <c>/tmp</c>, no network
    /// (unless the TaskRun carries the label <c>mothership.io/network: "true"</c>) and writable
    /// binds only for the attempt directory and the workspaces. Default: <c>false</c>.
    /// </summary>
    public bool Sandbox { get; set; }

    /// <summary>The clock for step times and timeouts. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The bubblewrap binary used for Tekton's layout and the sandbox. Default: <c>/usr/bin/bwrap</c>.</summary>
    public string BubblewrapPath { get; set; } = "/usr/bin/bwrap";

    /// <summary>How long to wait for a sidecar's readiness command to succeed. Default: 60 seconds.</summary>
    public TimeSpan SidecarReadinessTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long at most to wait for a sidecar without a readiness probe to finish starting (its
    /// processes all asleep) before steps start anyway. Default: 2 seconds.
    /// </summary>
    public TimeSpan SidecarStartLimit { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The limit on a TaskRun's results. Tekton on Kubernetes stops at 4096 bytes in all (the
    /// termination message); locally results are plain files, so the default is
    /// <see cref="ResultLimit.None"/>. <see cref="ResultLimit.TerminationMessage"/> reproduces
    /// Tekton's failure, with the Kubernetes executor's message.
    /// </summary>
    public ResultLimit ResultLimit { get; set; } = ResultLimit.None;

    /// <summary>
    /// The free space (bytes) an attempt needs where it runs to start; below it the attempt fails
    /// with the reason before anything runs. Zero turns the check off. Default: 64 MiB.
    /// </summary>
    public long MinFreeBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Which Mothership made a run's folder (written into it): a server sweeps only its own
    /// instance's leftovers, so a <c>mship run</c> sharing the work directory keeps its runs.
    /// Default <c>mothership</c>; <c>mship run</c> uses <c>mship-run</c>.
    /// </summary>
    public string Instance { get; set; } = "mothership";

    /// <summary>
    /// Goes on from a step's end (the attempt's next step, or its outcome and, through the
    /// pipeline's driver, the next attempt's start) on the thread that saw the process end, the
    /// one thread that reads every step's output, instead of handing it to a pool thread: a
    /// thread switch less per step (bench/RESULTS.md, "One thread from a step's end to the next
    /// start"). Meanwhile no other step's output is read, so only for hosts whose listeners never
    /// block: <c>mship run</c>, which prints, and only while it runs no more steps at once than
    /// there are cores. Not the server: its journal waits for the store at every step's end.
    /// Default: <c>false</c>.
    /// </summary>
    public bool EndStepsOnEventThread { get; set; }

    /// <summary>
    /// Keeps the folders of ended runs that hold nothing but bare attempt directories (up to
    /// <see cref="Workspaces.SpareAttempts.MaxPooledRuns"/> of them, as <c>Root/.spare-run.*</c>) and
    /// renames them into the next runs instead of making and removing five directories and a file
    /// for each run (<see cref="Workspaces.SpareAttempts"/>). For a long-lived executor that runs many
    /// small runs, the server's; the folders kept when its process ends are removed by the next
    /// sweep of the same <see cref="Instance"/>. Default: <c>false</c> (a <c>mship run</c> leaves no
    /// folder behind).
    /// </summary>
    public bool ReuseRunFolders { get; set; }
}
