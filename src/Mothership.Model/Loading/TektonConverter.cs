using Mothership.Model.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using CommentEvent = YamlDotNet.Core.Events.Comment;
using CommentToken = YamlDotNet.Core.Tokens.Comment;

namespace Mothership.Model.Loading;

/// <summary>
/// <c>mship convert</c>: a file's tekton.dev/v1beta1 resources rewritten as tekton.dev/v1 by the
/// same rules the loader reads them with (<see cref="V1Beta1Conversion"/>), other documents
/// written back unchanged. Comments are carried over: each comment goes before the first node
/// written at or after its line, and an end-of-line comment stays after its value. What YAML's
/// events do not keep (quote style beyond plain or quoted, flow style, anchors) comes out in
/// block style.
/// </summary>
public static class TektonConverter
{
    /// <summary>The v1 text of <paramref name="text"/>, or null (with diagnostics) when it cannot be converted.</summary>
    public static string? ToV1(string file, string text, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        var documents = ResourceLoader.ParseYaml(file, text, diagnostics);
        if (documents is null)
        {
            return null;
        }

        var errors = diagnostics.HasErrors;
        var converted = documents.Select(d => d is TreeMapping m ? ResourceLoader.V1(m, file, diagnostics) : d).ToList();
        if (!errors && diagnostics.HasErrors)
        {
            return null;
        }

        var output = new StringWriter();
        var writer = new Writer(new Emitter(output, new EmitterSettings().WithBestWidth(int.MaxValue)), Comments(text));
        writer.Stream(converted);
        return output.ToString();
    }

    /// <summary>The comments of <paramref name="text"/> in order, each with its line and whether it ends a line of content.</summary>
    private static Queue<(int Line, string Text, bool Inline)> Comments(string text)
    {
        var comments = new Queue<(int, string, bool)>();
        var scanner = new Scanner(new StringReader(text), skipComments: false);
        while (scanner.MoveNext())
        {
            if (scanner.Current is CommentToken c)
            {
                comments.Enqueue(((int)c.Start.Line, c.Value, c.IsInline));
            }
        }

        return comments;
    }

    private sealed class Writer(IEmitter emitter, Queue<(int Line, string Text, bool Inline)> comments)
    {
        public void Stream(List<TreeNode> documents)
        {
            emitter.Emit(new StreamStart());
            foreach (var document in documents)
            {
                emitter.Emit(new DocumentStart(null, null, isImplicit: false));
                Node(document);
                emitter.Emit(new DocumentEnd(isImplicit: true));
            }

            CommentsBefore(int.MaxValue);
            emitter.Emit(new StreamEnd());
        }

        private void Node(TreeNode node)
        {
            switch (node)
            {
                case TreeScalar s:
                    emitter.Emit(Scalar(s));
                    InlineComment(s.Line);
                    break;
                case TreeSequence q:
                    emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, isImplicit: true, SequenceStyle.Block));
                    foreach (var item in q.Items)
                    {
                        CommentsBefore(item.Line);
                        Node(item);
                    }

                    emitter.Emit(new SequenceEnd());
                    break;
                case TreeMapping m:
                    emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, isImplicit: true, MappingStyle.Block));
                    for (var i = 0; i < m.Count; i++)
                    {
                        CommentsBefore(m.Key(i).Line);
                        emitter.Emit(m.Key(i) is TreeScalar key ? Scalar(key) : throw new InvalidOperationException("a mapping key that is not a scalar"));
                        Node(m.Value(i));
                    }

                    emitter.Emit(new MappingEnd());
                    break;
            }
        }

        private static Scalar Scalar(TreeScalar s)
        {
            // A block keeps a script readable; a value of line breaks alone only reads back quoted.
            var style = s.Value.Contains('\n', StringComparison.Ordinal) && !string.IsNullOrWhiteSpace(s.Value) ? ScalarStyle.Literal
                : s.IsPlain ? ScalarStyle.Plain
                : ScalarStyle.DoubleQuoted;
            return new Scalar(AnchorName.Empty, TagName.Empty, s.Value, style, isPlainImplicit: true, isQuotedImplicit: true);
        }

        /// <summary>The comments on whole lines before <paramref name="line"/>, not yet written.</summary>
        private void CommentsBefore(int line)
        {
            while (comments.TryPeek(out var c) && c.Line < line)
            {
                comments.Dequeue();
                emitter.Emit(new CommentEvent(c.Text, isInline: false));
            }
        }

        /// <summary>A comment that ends the line of a value written on <paramref name="line"/>.</summary>
        private void InlineComment(int line)
        {
            while (comments.TryPeek(out var c) && c.Line <= line)
            {
                comments.Dequeue();
                emitter.Emit(new CommentEvent(c.Text, isInline: c.Line == line && c.Inline));
            }
        }
    }
}
