using System.Text;
using System.Text.Json.Nodes;
using Mothership.Model.Diagnostics;
using Mothership.Cli.Output;

namespace Mothership.Cli.Commands.Client;

/// <summary>
/// Files sent as one multi-document body; the server's diagnostics name lines of that body,
/// which this maps back to the file and line they came from.
/// </summary>
internal sealed class RequestBundle
{
    private readonly List<(string File, int FirstLine)> _parts = [];

    public string Text { get; private set; } = "";

    public static RequestBundle? Read(IEnumerable<string> paths)
    {
        var bag = new DiagnosticBag();
        var files = InputFiles.Expand(paths, bag);
        InputFiles.Print(bag, Console.Error);
        if (bag.HasErrors)
        {
            return null;
        }

        var bundle = new RequestBundle();
        var text = new StringBuilder();
        var line = 1;
        foreach (var f in files)
        {
            if (text.Length > 0)
            {
                text.Append("---\n");
                line++;
            }

            var content = File.ReadAllText(f).Replace("\r\n", "\n", StringComparison.Ordinal);
            if (!content.EndsWith('\n'))
            {
                content += "\n";
            }

            bundle._parts.Add((f, line));
            text.Append(content);
            line += content.Count(c => c == '\n');
        }

        bundle.Text = text.ToString();
        return bundle;
    }

    public static RequestBundle Generated(string text)
    {
        var bundle = new RequestBundle { Text = text };
        bundle._parts.Add(("mship start", 1));
        return bundle;
    }

    /// <summary>The server's diagnostics as <c>FILE:LINE:COL: SEVERITY: MESSAGE</c>, lines of the body mapped back to their files.</summary>
    public IEnumerable<string> Format(IEnumerable<JsonObject> diagnostics)
    {
        foreach (var d in diagnostics)
        {
            var line = (int?)d["line"] ?? 0;
            var (file, first) = _parts.LastOrDefault(p => p.FirstLine <= line, (File: "body", FirstLine: 1));
            var where = (string?)d["file"] == "body" ? $"{file}:{line - first + 1}:{d["column"]}" : $"{d["file"]}:{d["line"]}:{d["column"]}";
            yield return $"{where}: {d["severity"]}: {d["message"]}";
        }
    }

    public void PrintDiagnostics(IEnumerable<JsonObject> diagnostics)
    {
        foreach (var line in Format(diagnostics))
        {
            Console.Error.WriteLine(TerminalText.Escape(line));
        }
    }
}
