using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Mothership.Server.Api;

/// <summary>Splits a multi-document YAML text into the text of each document, as written, with the line it starts on.</summary>
internal static class YamlDocuments
{
    /// <summary>
    /// Uses the YAML parser's own document boundaries, so a <c>---</c> inside a block scalar is
    /// not mistaken for a separator. Call after the text loaded without errors.
    /// </summary>
    public static IReadOnlyList<(int Line, string Text)> Split(string text)
    {
        var parser = new Parser(new StringReader(text));
        var result = new List<(int, string)>();
        var startLine = 0;
        long start = -1;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case DocumentStart s:
                    start = s.Start.Index;
                    startLine = (int)s.Start.Line;
                    break;
                case DocumentEnd e when start >= 0:
                    var doc = text[(int)start..(int)e.End.Index].Trim();
                    if (doc.StartsWith("---", StringComparison.Ordinal))
                    {
                        doc = doc[3..].TrimStart();
                    }

                    if (doc.EndsWith("...", StringComparison.Ordinal))
                    {
                        doc = doc[..^3].TrimEnd();
                    }

                    if (doc.Length > 0)
                    {
                        result.Add((startLine, doc + "\n"));
                    }

                    start = -1;
                    break;
            }
        }

        return result;
    }
}
