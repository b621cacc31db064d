using System.Globalization;
using Mothership.Engine.Execution;

namespace Mothership.Executors.Kubernetes.Pods;

/// <summary>
/// The POSIX-shell program a step container runs its command under when the step has a
/// <c>timeout</c>, continues on error, or has its exit code read by a later step: Tekton's
/// entrypoint does this in Go inside every step; here a few lines of <c>sh</c> (so such a step's
/// image needs <c>/bin/sh</c> and <c>sleep</c>, as a script step already needs a shell).
/// <list type="bullet">
/// <item>Timeout: a watchdog sends the command SIGTERM when the step's timeout runs out and SIGKILL
/// after the grace period, as the local executor does, and leaves <see cref="TimeoutMarker"/> in the
/// container's termination message: the executor reads that as <c>TimeoutExceeded</c>, whether the
/// step then fails the pod or continues. What the command started is ended with the container.</item>
/// <item>Exit code: kept in <c>/tekton/steps/step-NAME/exitCode</c>; with <c>onError: continue</c>
/// the container then exits 0 so that the next step runs, and the executor takes the step's own
/// exit code from that file.</item>
/// <item>A SIGTERM to the container (its pod deleted: a cancel, the TaskRun's timeout) is passed on
/// to the command, which as PID 1's child would otherwise never see it.</item>
/// </list>
/// Run as <c>/bin/sh -c PROGRAM CONTAINER COMMAND ARGS…</c>.
/// </summary>
public static class StepWrapper
{
    /// <summary>What a timed-out step leaves in its container's termination message.</summary>
    public const string TimeoutMarker = "mothership.io/step-timeout";

    /// <summary>Where Kubernetes reads a container's termination message.</summary>
    public const string TerminationLog = "/dev/termination-log";

    /// <summary>The program for a step in <paramref name="container"/>; null when the step needs none.</summary>
    public static string? Program(string container, TimeSpan? timeout, TimeSpan gracePeriod, bool recordExitCode, bool continueOnError)
    {
        if (timeout is null && !recordExitCode && !continueOnError)
        {
            return null;
        }

        var exitCodeFile = AttemptPaths.Tekton.ExitCode(container);
        var lines = new List<string>
        {
            "\"$@\" &",
            "child=$!",
            "trap 'kill -TERM $child 2>/dev/null' TERM INT",
        };
        if (timeout is { } limit)
        {
            lines.Add($"( trap '' TERM INT; sleep {Seconds(limit)}; printf '%s' '{TimeoutMarker}' > {TerminationLog}; kill -TERM $child 2>/dev/null; sleep {Seconds(gracePeriod)}; kill -KILL $child 2>/dev/null ) >/dev/null 2>&1 &");
            lines.Add("watchdog=$!");
        }

        // A signal handled by the trap interrupts wait: wait again until the command has ended.
        lines.Add("while :; do wait $child; code=$?; kill -0 $child 2>/dev/null || break; done");
        if (timeout is not null)
        {
            lines.Add("kill -KILL $watchdog 2>/dev/null");
        }

        if (recordExitCode || continueOnError)
        {
            lines.Add($"printf '%s' \"$code\" > {exitCodeFile}");
        }

        lines.Add(continueOnError ? "exit 0" : "exit $code");
        return string.Join('\n', lines) + "\n";
    }

    /// <summary>A duration as <c>sleep</c> takes it: seconds, with up to three decimals.</summary>
    private static string Seconds(TimeSpan duration) =>
        Math.Max(0, duration.TotalSeconds).ToString("0.###", CultureInfo.InvariantCulture);
}
