using Mothership.Model.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Mothership.Cloud.Values;

/// <summary>
/// Writes merged values as YAML (YamlDotNet's emitter does the quoting), optionally with each
/// value's source file and line as a trailing comment: <c>mship render</c> shows where every
/// setting comes from; the deploy pipeline gets the plain form.
/// </summary>
public static class ValuesRenderer
{
    public static string Render(ValueMap values, bool sources)
    {
        using var writer = new StringWriter();
        var emitter = new Emitter(writer, new EmitterSettings(2, int.MaxValue, false, 1024, skipAnchorName: true, indentSequences: false));
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, isImplicit: true));
        if (values.Entries.IsEmpty)
        {
            emitter.Emit(new MappingStart(null, null, true, MappingStyle.Flow));
            emitter.Emit(new MappingEnd());
        }
        else
        {
            Emit(emitter, values, sources);
        }

        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    private static void Emit(IEmitter emitter, ValueNode node, bool sources)
    {
        switch (node)
        {
            case ValueMap map:
                var empty = map.Entries.IsEmpty;
                emitter.Emit(new MappingStart(null, null, true, empty ? MappingStyle.Flow : MappingStyle.Block));
                foreach (var (key, value) in map.Entries)
                {
                    // A block scalar ends on its own lines: its source goes on the line above the key.
                    var above = sources && value is ValueScalar { Text: var t } && t.Contains('\n');
                    if (above)
                    {
                        emitter.Emit(new Comment(Source(value.Source), isInline: false));
                    }

                    emitter.Emit(new Scalar(key));
                    Emit(emitter, value, sources);
                    if (sources && !above && value is not ValueMap { Entries.IsEmpty: false })
                    {
                        emitter.Emit(new Comment(Source(value.Source), isInline: true));
                    }
                }

                emitter.Emit(new MappingEnd());
                break;
            case ValueList list:
                emitter.Emit(new SequenceStart(null, null, true, list.Items.IsEmpty ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in list.Items)
                {
                    Emit(emitter, item, sources: false);
                }

                emitter.Emit(new SequenceEnd());
                break;
            case ValueScalar scalar:
                emitter.Emit(Scalar(scalar));
                break;
        }
    }

    private static Scalar Scalar(ValueScalar s)
    {
        if (s.IsNull)
        {
            return new Scalar(null, null, "null", ScalarStyle.Plain, true, false);
        }

        // A plain scalar stays plain so YAML's typing (numbers, booleans) survives; a quoted one
        // stays a string. Text with line breaks reads best as a literal block.
        var style = s.Text.Contains('\n') ? ScalarStyle.Literal : s.Plain ? ScalarStyle.Plain : ScalarStyle.DoubleQuoted;
        return new Scalar(null, null, s.Text, style, s.Plain, !s.Plain);
    }

    private static string Source(SourceLocation at) => at.Line > 0 ? $"{at.File}:{at.Line}" : at.File;
}
