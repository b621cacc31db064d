using Mothership.Cli.Client;
using Spectre.Console;

namespace Mothership.Cli.Output.Progress;

/// <summary>
/// The live progress view of a long run on a terminal (<c>mship deploy</c>, <c>mship start -F</c>):
/// the console loop around <see cref="ProgressModel"/> and <see cref="ProgressRenderer"/>. Where the
/// output is not a terminal, with <c>--plain</c>, <c>TERM=dumb</c> or <c>CI</c> set, the commands
/// print plain log lines instead (<see cref="Enabled"/>).
/// </summary>
internal static class ProgressView
{
    /// <summary>How often the server is asked for the run (at most once a second).</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>How often a local run's view is redrawn.</summary>
    public static readonly TimeSpan LocalInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Lines printed per failed task when the view ends.</summary>
    public const int FailedTailLines = 20;

    /// <summary>Whether to draw the view: not <c>--plain</c>, stdout a terminal that takes ANSI, <c>TERM</c> not <c>dumb</c>, not in CI.</summary>
    public static bool Enabled(bool plain) => !plain && IsTerminal(
        Console.IsOutputRedirected, Environment.GetEnvironmentVariable("TERM"), Environment.GetEnvironmentVariable("CI"), AnsiConsole.Profile.Capabilities.Ansi);

    internal static bool IsTerminal(bool redirected, string? term, string? ci, bool ansi) =>
        !redirected && ansi && !string.Equals(term, "dumb", StringComparison.Ordinal)
        && (string.IsNullOrEmpty(ci) || ci.Equals("false", StringComparison.OrdinalIgnoreCase) || ci == "0");

    /// <summary>
    /// Follows a PipelineRun on the server with the view: polls <c>GET /api/v1/pipelineruns/{name}</c> and
    /// its <c>/graph</c> at most once a second, keeps the last lines of each task from the log stream, and
    /// ends with the run (the stream's <c>end</c>). Then prints the failed tasks' last lines and the line
    /// <c>mship: pipelinerun NAME REASON</c> as <c>mship start -F</c> always has; the exit code says how the run ended.
    /// </summary>
    public static async Task<int> FollowAsync(ApiClient client, string runName, CancellationToken ct, IAnsiConsole? console = null, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        console ??= AnsiConsole.Console;
        var model = new ProgressModel(time);
        var tails = new LogTails(FailedTailLines);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var logs = LogEventStream.ReadAsync(client, "pipelineruns", runName, "", (task, prefix, lines) =>
        {
            foreach (var line in lines)
            {
                tails.Add(task, prefix + (string?)line);
            }
        }, stop.Token);
        try
        {
            await ShowAsync(console, model, tails, c => PollAsync(client, runName, model, c), logs, PollInterval, time, ct).ConfigureAwait(false);
        }
        finally
        {
            // Cancelled or failed while drawing: the stream must not outlive the view.
            if (!logs.IsCompleted)
            {
                await stop.CancelAsync().ConfigureAwait(false);
            }
        }

        var end = await logs.ConfigureAwait(false);
        PrintFailedTails(model, tails, Console.Out);
        return LogEventStream.Ended(end, "pipelineruns", runName);
    }

    /// <summary>
    /// Draws the model until <paramref name="until"/> completes: <paramref name="refresh"/> (which feeds
    /// the model) then a redraw every <paramref name="interval"/>, and once more after the end so the
    /// last frame on screen is the final state.
    /// </summary>
    public static Task ShowAsync(IAnsiConsole console, ProgressModel model, LogTails tails, Func<CancellationToken, Task> refresh, Task until,
        TimeSpan interval, TimeProvider time, CancellationToken ct) =>
        console.Live(new Text("starting…"))
            .AutoClear(false)
            .Overflow(VerticalOverflow.Ellipsis)
            .Cropping(VerticalOverflowCropping.Top)
            .StartAsync(async context =>
            {
                while (true)
                {
                    var ended = until.IsCompleted;
                    await refresh(ct).ConfigureAwait(false);
                    if (model.Frame() is { } frame)
                    {
                        context.UpdateTarget(ProgressRenderer.Render(frame, tails));
                    }

                    if (ended)
                    {
                        return;
                    }

                    await Task.WhenAny(until, Task.Delay(interval, time, ct)).ConfigureAwait(false);
                    ct.ThrowIfCancellationRequested();
                }
            });

    /// <summary>The last lines of each failed task, in wave order, as plain <c>[task/step] line</c>s.</summary>
    public static void PrintFailedTails(ProgressModel model, LogTails tails, TextWriter output)
    {
        if (model.Frame() is not { } frame)
        {
            return;
        }

        foreach (var task in frame.Waves.SelectMany(w => w.Tasks).Where(t => t.State == ProgressTaskState.Failed))
        {
            var lines = tails.Last(task.Name, FailedTailLines);
            output.WriteLine();
            output.WriteLine(lines.Count == 0 ? $"{TerminalText.Escape(task.Name)} failed ({TerminalText.Escape(task.Reason)}); it wrote no log lines" : $"last lines of {TerminalText.Escape(task.Name)} ({TerminalText.Escape(task.Reason)}):");
            foreach (var line in lines)
            {
                output.WriteLine(line);
            }
        }
    }

    private static async Task PollAsync(ApiClient client, string runName, ProgressModel model, CancellationToken ct)
    {
        var path = $"api/v1/pipelineruns/{Uri.EscapeDataString(runName)}";
        try
        {
            var run = await client.GetAsync(path, ct).ConfigureAwait(false);
            var graph = await client.GetAsync(path + "/graph", ct).ConfigureAwait(false);
            model.Update(ProgressSnapshot.From(run.AsObject(), graph.AsObject()));
        }
        catch (Exception e) when (e is ApiException or ServerUnreachableException)
        {
            // The log stream decides when the run has ended; until then the view keeps its last picture and says why.
            model.Notice($"could not read the run: {e.Message}");
        }
    }
}
