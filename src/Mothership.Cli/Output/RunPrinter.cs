using System.Globalization;
using Mothership.Engine.Execution;
using Mothership.Engine.Journal;
using Mothership.Engine.Running;
using Mothership.Engine.Scheduling;
using Mothership.Engine.Status;
using Mothership.Model.Tekton.Vocabulary;

namespace Mothership.Cli.Output;

/// <summary>
/// Text output of <c>mship run</c>: <c>[task/step] line</c> as logs arrive, then a summary table.
/// With <c>quiet</c> (json mode) nothing but the final object is printed.
/// </summary>
internal sealed class RunPrinter(TextWriter output, bool quiet) : IRunListener
{
    private readonly Lock _lock = new();

    /// <summary>Masks the summary's results and messages (<see cref="RunSecrets"/>); logs come masked by the executor.</summary>
    public SecretMasker Masker { get; set; } = new();

    public void OnLog(TaskRunRequest request, string container, string line)
    {
        if (quiet)
        {
            return;
        }

        var prefix = LogPrefix.Of(request.PipelineTaskName ?? request.TaskRunName, container);
        lock (_lock)
        {
            output.WriteLine(prefix + line);
        }
    }

    public void OnStep(TaskRunRequest request, StepState step)
    {
    }

    public ValueTask OnDecisionAsync(PipelineRunState state, DecisionRecord record, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public void Notice(string message)
    {
        lock (_lock)
        {
            Console.Error.WriteLine($"mship: {message}");
        }
    }

    public void PrintSummary(PipelineRunState s)
    {
        if (quiet)
        {
            return;
        }

        var rows = new List<string[]> { new[] { "TASK", "STATUS", "REASON", "DURATION" } };
        foreach (var t in s.Spec.Tasks.Concat(s.Spec.Finally).Select(t => s.Tasks[t.Name]))
        {
            var last = t.Runs.Select(r => r.Last).OfType<TaskRunOutcome>().ToList();
            var duration = last.Count == 0 ? "-" : Format(last.Max(x => x.CompletionTime) - last.Min(x => x.StartTime));
            var status = t.Phase switch
            {
                TaskPhase.Succeeded => "Succeeded",
                TaskPhase.Failed when t.FailureIgnored => "Failed (ignored)",
                TaskPhase.Failed => "Failed",
                TaskPhase.Skipped => "Skipped",
                _ => t.Phase.ToString(),
            };
            var reason = t.Skip?.Reason ?? (t.Phase == TaskPhase.Failed ? string.Join("; ", last.Where(x => x.Phase != TaskRunPhase.Succeeded).Select(x => x.Message).Distinct()) : "");
            var name = (t.IsFinally ? "finally " : "") + t.Name + (t.Runs.Length > 1 ? $" ×{t.Runs.Length}" : "");
            var retries = t.Runs.Sum(r => Math.Max(0, r.Attempts.Length - 1));
            rows.Add([name, status + (retries > 0 ? $" ({retries} retries)" : ""), reason, duration]);
        }

        // One write for the whole summary: a line at a time, a 2,000-task table was 2,000 write(2)s
        // after the last step had ended, all of it on the run's wall time.
        var text = new StringWriter(CultureInfo.InvariantCulture);
        text.WriteLine();
        WriteTable(text, rows);
        var c = s.Completion!;
        text.WriteLine();
        text.WriteLine(Masker.Mask($"PipelineRun {s.Name}: {c.Reason} ({c.Message}) in {Format(c.Time - s.StartTime)}"));
        foreach (var r in s.Results)
        {
            text.WriteLine(Masker.Mask($"  result {r.Name} = {r.Value}"));
        }

        lock (_lock)
        {
            output.Write(text.ToString());
        }
    }

    public void PrintSummary(TaskRunResult r)
    {
        if (quiet)
        {
            return;
        }

        lock (_lock)
        {
            output.WriteLine();
            if (r.Attempts.IsEmpty)
            {
                output.WriteLine($"TaskRun {r.Run.Metadata.Name}: TaskRunCancelled");
                return;
            }

            var rows = new List<string[]> { new[] { "STEP", "EXIT", "REASON" } };
            rows.AddRange(r.Last.Steps.Select(s => new[] { s.Name, s.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-", s.TerminationReason ?? s.Reason ?? "" }));
            WriteTable(output, rows);
            output.WriteLine();
            var last = r.Last;
            output.WriteLine(Masker.Mask($"TaskRun {r.Run.Metadata.Name}: {TaskRunReasons.Of(last)} ({(last.Phase == TaskRunPhase.Succeeded ? AttemptMessages.AllStepsCompleted : last.Message)}) in {Format(last.CompletionTime - r.Attempts[0].StartTime)}" +
                (r.Attempts.Length > 1 ? $", {r.Attempts.Length - 1} retries" : "")));
            foreach (var res in last.Results)
            {
                output.WriteLine(Masker.Mask($"  result {res.Name} = {res.Value.ToString().TrimEnd('\n')}"));
            }
        }
    }

    private static void WriteTable(TextWriter to, List<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        foreach (var row in rows)
        {
            to.WriteLine(string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
        }
    }

    private static string Format(TimeSpan t) =>
        t.TotalSeconds < 60 ? t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s" : $"{(int)t.TotalMinutes}m{t.Seconds:00}s";
}
