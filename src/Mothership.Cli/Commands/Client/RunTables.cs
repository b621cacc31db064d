using System.Globalization;
using System.Text.Json.Nodes;
using Mothership.Cli.Output;

namespace Mothership.Cli.Commands.Client;

/// <summary>Runs and definitions printed as the tables <c>get</c> and <c>describe</c> show.</summary>
internal static class RunTables
{
    public static JsonObject Summary(JsonNode run)
    {
        var condition = run["status"]?["conditions"]?[0];
        return new JsonObject
        {
            ["name"] = (string?)run["metadata"]?["name"],
            ["status"] = (string?)condition?["status"],
            ["reason"] = (string?)condition?["reason"],
            ["startTime"] = (string?)run["status"]?["startTime"],
            ["completionTime"] = (string?)run["status"]?["completionTime"],
        };
    }

    public static void PrintRuns(IReadOnlyList<JsonObject> runs) =>
        Table([["NAME", "STATUS", "REASON", "STARTED", "DURATION"], .. runs.Select(Row)]);

    /// <summary>A run's row of <see cref="PrintRuns"/> (unescaped).</summary>
    public static string[] Row(JsonObject r) =>
        [(string?)r["name"] ?? "", (string?)r["status"] ?? "", (string?)r["reason"] ?? "", (string?)r["startTime"] ?? "-", Duration(r)];

    /// <summary>One row padded to <paramref name="widths"/> (escaped), for rows printed one at a time.</summary>
    public static string Line(IReadOnlyList<string> row, IReadOnlyList<int> widths) =>
        string.Join("   ", row.Select((c, i) => i == row.Count - 1 ? TerminalText.Escape(c) : TerminalText.Escape(c).PadRight(widths[i]))).TrimEnd();

    /// <summary>TaskRuns, with the PipelineRun that made each (<c>-</c> for a standalone one), as <c>kubectl get taskruns</c> shows the label.</summary>
    public static void PrintTaskRuns(IReadOnlyList<JsonObject> runs) =>
        Table([["NAME", "PIPELINERUN", "STATUS", "REASON", "STARTED", "DURATION"], .. runs.Select(r => new[]
        {
            (string?)r["name"] ?? "", (string?)r["pipelineRun"] ?? "-", (string?)r["status"] ?? "", Reason((string?)r["reason"], (string?)r["reusedFrom"]), (string?)r["startTime"] ?? "-", Duration(r),
        })]);

    /// <summary>A TaskRun's reason, with the TaskRun it was reused from (a rerun from the failure) when it did not run.</summary>
    public static string Reason(string? reason, string? reusedFrom) => reusedFrom is null ? reason ?? "" : $"{reason} (reused from {reusedFrom})";

    private static string Duration(JsonObject r)
    {
        if (!DateTimeOffset.TryParse((string?)r["startTime"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var start)
            || !DateTimeOffset.TryParse((string?)r["completionTime"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var end))
        {
            return "-";
        }

        var d = end - start;
        return d.TotalMinutes >= 1 ? $"{(int)d.TotalMinutes}m{d.Seconds}s" : $"{d.TotalSeconds:0}s";
    }

    /// <summary>Prints <paramref name="cells"/> (the first row is the header) in columns; every cell escaped, one line each (<see cref="TerminalText"/>).</summary>
    public static void Table(IReadOnlyList<string[]> cells)
    {
        var rows = cells.Select(r => r.Select(TerminalText.Escape).ToArray()).ToList();
        var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        foreach (var row in rows)
        {
            Console.WriteLine(string.Join("   ", row.Select((c, i) => i == row.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd());
        }
    }
}
