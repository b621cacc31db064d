using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Mothership.Cli.Output.Progress;

/// <summary>
/// Draws a <see cref="ProgressFrame"/> with Spectre.Console: a header (run, status, elapsed, time
/// left on the critical path), the counts, one table row per wave with each task's state and
/// duration, and the last log lines of the running and failed tasks. Pure: a frame in, a renderable out.
/// </summary>
internal static class ProgressRenderer
{
    /// <summary>How many running or failed tasks show their last lines, and how many lines each.</summary>
    public const int TailTasks = 4;

    public const int TailLines = 3;

    public static IRenderable Render(ProgressFrame frame, LogTails? tails = null)
    {
        var left = frame.Finished ? "" : frame.TimeLeft is { } t ? $"~{Duration(t)} left on the critical path" : "no estimates";
        var header = new Markup(
            $"[bold]PipelineRun {Markup.Escape(TerminalText.Escape(frame.RunName))}[/]  {StatusMarkup(frame)}  " +
            $"{Duration(frame.Elapsed)} elapsed" + (left.Length > 0 ? $"  [dim]·[/]  {left}" : ""));
        var counts = new Markup(
            $"done {frame.Done}/{frame.Total}  [dim]·[/]  [yellow]running {frame.Running}[/]  [dim]·[/]  " +
            $"{(frame.Failed > 0 ? "[red]" : "[dim]")}failed {frame.Failed}[/]  [dim]·[/]  waiting {frame.Waiting}");

        var table = new Table().Border(TableBorder.Simple).Expand()
            .AddColumn(new TableColumn("wave").NoWrap())
            .AddColumn(new TableColumn("tasks"))
            .AddColumn(new TableColumn("done").RightAligned().NoWrap());
        foreach (var wave in frame.Waves)
        {
            var ended = wave.Tasks.Count(x => x.State is ProgressTaskState.Succeeded or ProgressTaskState.Failed or ProgressTaskState.Skipped);
            table.AddRow(new Markup(Markup.Escape(wave.Label)), new Markup(string.Join("   ", wave.Tasks.Select(Task))), new Markup($"{ended}/{wave.Tasks.Length}"));
        }

        var parts = new List<IRenderable> { header, counts, table };
        if (tails is not null)
        {
            var shown = frame.Waves.SelectMany(w => w.Tasks)
                .Where(x => x.State is ProgressTaskState.Running or ProgressTaskState.Failed)
                .OrderBy(x => x.State == ProgressTaskState.Failed ? 0 : 1)
                .Take(TailTasks)
                .SelectMany(x => tails.Last(x.Name, TailLines))
                .ToList();
            if (shown.Count > 0)
            {
                // A step's own line may hold escapes and carriage returns that would move the cursor out of the view.
                parts.Add(new Rows(shown.Select(l => (IRenderable)new Text(TerminalText.Escape(l), new Style(decoration: Decoration.Dim)) { Overflow = Overflow.Ellipsis })));
            }
        }

        if (!frame.Notices.IsEmpty)
        {
            parts.Add(new Rows(frame.Notices.Select(n => (IRenderable)new Markup($"[yellow]mship: {Markup.Escape(TerminalText.Escape(n))}[/]"))));
        }

        return new Rows(parts);
    }

    private static string StatusMarkup(ProgressFrame frame)
    {
        var status = Markup.Escape(TerminalText.Escape(frame.Status));
        return !frame.Finished ? $"[yellow]{status}[/]" : frame.Failed == 0 && frame.Status is "Succeeded" or "Completed" ? $"[green]{status}[/]" : $"[red]{status}[/]";
    }

    /// <summary>A task as <c>✔ name 1m02s</c>, <c>◐ name 20s/~5m</c>, <c>○ name</c>, <c>✖ name 30s</c>, <c>– name</c>.</summary>
    private static string Task(ProgressTaskView t)
    {
        var name = Markup.Escape(TerminalText.Escape(t.Name));
        var took = t.Duration is { } d ? " " + Duration(d) : "";
        return t.State switch
        {
            ProgressTaskState.Succeeded => $"[green]✔ {name}[/]{took}",
            ProgressTaskState.Failed => $"[red]✖ {name}{took}[/]",
            ProgressTaskState.Running => $"[yellow]◐ {name}[/]{took}{(t.Estimate is { } e ? $"/~{Duration(e)}" : "")}",
            ProgressTaskState.Skipped => $"[dim]– {name} skipped[/]",
            _ => $"[dim]○ {name}[/]",
        };
    }

    /// <summary>Seconds under a minute (<c>42s</c>), then minutes and seconds (<c>3m05s</c>), then hours (<c>1h02m</c>).</summary>
    public static string Duration(TimeSpan t) =>
        t.TotalSeconds < 60 ? ((int)t.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s"
        : t.TotalHours < 1 ? $"{(int)t.TotalMinutes}m{t.Seconds:00}s"
        : $"{(int)t.TotalHours}h{t.Minutes:00}m";
}
