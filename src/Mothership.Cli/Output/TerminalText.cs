using System.Text;
using System.Text.Json.Nodes;
using Mothership.Model.Validation;

namespace Mothership.Cli.Output;

/// <summary>
/// Text from the server or from files, made safe to print: control characters (ESC sequences,
/// carriage returns, bells) and the characters that reorder a line on screen are shown as escapes
/// (<c>\x1b</c>, <c>\r</c>, <c>\u202e</c>) instead of acting on the terminal. Every value the
/// client commands print goes through here; a step's own log lines do not (like <c>kubectl
/// logs</c>, they keep their colours).
/// </summary>
internal static class TerminalText
{
    /// <summary><paramref name="text"/> on one line: newlines and tabs escaped too.</summary>
    public static string Escape(string? text) => Escape(text, keepLines: false);

    /// <summary>A JSON value (a string as it is, anything else as JSON) on one line.</summary>
    public static string Escape(JsonNode? value) => Escape(value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value?.ToJsonString());

    /// <summary><paramref name="text"/> keeping its newlines and tabs, for multi-line values (a document, a problem's detail).</summary>
    public static string EscapeLines(string? text) => Escape(text, keepLines: true);

    private static string Escape(string? text, bool keepLines)
    {
        if (string.IsNullOrEmpty(text) || !text.Any(KubernetesNames.NeedsEscape))
        {
            return text ?? "";
        }

        var builder = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (keepLines && c is '\n' or '\t')
            {
                builder.Append(c);
            }
            else
            {
                KubernetesNames.AppendVisible(builder, c);
            }
        }

        return builder.ToString();
    }
}
