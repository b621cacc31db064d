using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using Mothership.Model.Limits;

namespace Mothership.Model.Loading;

/// <summary>
/// Reads the plain subset of YAML that large generated Tekton files are written in straight into
/// <see cref="TreeNode"/>s, without YamlDotNet: block mappings and sequences (indentless ones
/// too), one-line plain, single- and double-quoted scalars (no escapes), literal block scalars
/// (<c>|</c>, <c>|-</c>), one-line flow sequences of such scalars, comments and <c>---</c> between
/// documents, and documents written as JSON. On anything else (folded or keep-chomped block scalars,
/// anchors, tags, multi-line values, flow mappings, tabs, CR, non-ASCII, empty values, duplicate
/// keys, a limit reached, malformed YAML) it gives up and <see cref="YamlTree"/> parses the whole
/// text with YamlDotNet, which also words every error. Positions are YamlDotNet's (1-based line and
/// column of a node's first character; a block mapping at its first key, a sequence at its first
/// <c>-</c> or its <c>[</c>); YamlTreeTests compare both readers on every fixture.
/// </summary>
/// <remarks>
/// Why: on a 10,000-task pipeline YamlDotNet's scanner and parser allocated about two thirds of the
/// load's bytes (tokens, events, marks, a string per scalar) and took most of its CPU time, and
/// the garbage collector's work grows with those bytes. Here a repeated key or short value is
/// looked up in the pool by its characters, so it costs no string at all.
/// </remarks>
internal sealed class BlockYamlScanner
{
    /// <summary>Characters that send a text to YamlDotNet wherever they are: tabs, CR, other controls, non-ASCII.</summary>
    private static readonly SearchValues<char> Unsupported = SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\u000b\f\r\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f\u007f");

    /// <summary>Characters a plain scalar of this subset may not start with (YAML's indicators).</summary>
    private const string Indicators = "-?:,[]{}#&*!|>'\"%@`";

    /// <summary>Scalars up to this length are shared through the pool (as <see cref="YamlTree"/> does).</summary>
    private const int PooledLength = 64;

    /// <summary>YAML's limit on an implicit key's length.</summary>
    private const int MaxKeyLength = 1024;

    private readonly string _text;
    private readonly InputLimits _limits;
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _pool;

    // The nodes of the collections still open, innermost last: each collection takes its own as
    // an array of their number when it closes, where growing an array per collection left the
    // smaller ones behind as garbage and the last one up to half empty.
    private readonly List<TreeNode> _open = [];
    private int _pos;
    private int _line = 1;
    private int _lineStart;
    private long _nodes;
    private int _depth;
    private int _contentAt = -1;
    private int _contentIndent;

    private BlockYamlScanner(string text, InputLimits limits)
    {
        _text = text;
        _limits = limits;
        _pool = new Dictionary<string, string>(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Thrown (and caught in <see cref="TryParse"/>) where the text leaves the subset.</summary>
    private sealed class Unhandled : Exception;

    /// <summary>The root node of each document, or null when the text is not in the subset (or not valid).</summary>
    public static List<TreeNode>? TryParse(string text, InputLimits limits)
    {
        if (text.AsSpan().IndexOfAny(Unsupported) >= 0 || text.AsSpan().IndexOfAnyInRange('\u0080', '\uffff') >= 0)
        {
            return null;
        }

        try
        {
            return new BlockYamlScanner(text, limits).Stream();
        }
        catch (Unhandled)
        {
            return null;
        }
    }

    private static Unhandled Leave() => new();

    private int Column => _pos - _lineStart + 1;

    private char At(int i) => i < _text.Length ? _text[i] : '\n';

    private bool AtEnd => _pos >= _text.Length;

    private List<TreeNode> Stream()
    {
        var documents = new List<TreeNode>();
        var explicitStart = false;
        while (true)
        {
            var indent = NextContent();
            if (indent == End)
            {
                if (explicitStart)
                {
                    throw Leave(); // an empty document after ---
                }

                return documents;
            }

            if (indent == Marker)
            {
                if (explicitStart || !IsDocumentStart())
                {
                    throw Leave(); // an empty document, or "..."
                }

                _pos += 3;
                RestOfLineBlank();
                explicitStart = true;
                continue;
            }

            if (indent != 0 && documents.Count > 0 && !explicitStart)
            {
                throw Leave();
            }

            documents.Add(indent == 0 && _text[_pos] is '{' or '[' ? JsonDocument() : BlockNode(-1, indentlessAllowed: false));
            explicitStart = false;
            var after = NextContent();
            if (after != End && after != Marker)
            {
                throw Leave(); // content after the root node: malformed
            }
        }
    }

    private const int End = -2;
    private const int Marker = -3;

    /// <summary>
    /// Moves to the first character of the next line holding content (blank and comment-only lines
    /// skipped) and returns its indentation, <see cref="End"/> at the end of the text, or
    /// <see cref="Marker"/> for a line starting <c>---</c> or <c>...</c>. Called at a line start
    /// or at the end of a line's content.
    /// </summary>
    private int NextContent()
    {
        if (_pos == _contentAt)
        {
            return _contentIndent; // already there: the caller before did not consume it
        }

        _contentIndent = FindContent();
        _contentAt = _pos;
        return _contentIndent;
    }

    private int FindContent()
    {
        if (_pos != _lineStart)
        {
            RestOfLineBlank();
        }

        while (!AtEnd)
        {
            var i = _pos;
            while (i < _text.Length && _text[i] == ' ')
            {
                i++;
            }

            if (i >= _text.Length)
            {
                _pos = i;
                return End;
            }

            if (_text[i] is '\n')
            {
                NewLine(i + 1);
                continue;
            }

            if (_text[i] == '#')
            {
                var eol = _text.IndexOf('\n', i);
                if (eol < 0)
                {
                    _pos = _text.Length;
                    return End;
                }

                NewLine(eol + 1);
                continue;
            }

            _pos = i;
            if (i == _lineStart && ((_text[i] == '-' && IsMarker('-')) || (_text[i] == '.' && IsMarker('.'))))
            {
                return Marker;
            }

            return i - _lineStart;
        }

        return End;
    }

    private bool IsMarker(char c) => At(_pos + 1) == c && At(_pos + 2) == c && At(_pos + 3) is ' ' or '\n';

    private bool IsDocumentStart() => _text[_pos] == '-';

    private void NewLine(int start)
    {
        _pos = start;
        _lineStart = start;
        _line++;
    }

    /// <summary>Only spaces and a comment may remain on this line; leaves the position at the line's end.</summary>
    private void RestOfLineBlank()
    {
        while (!AtEnd && _text[_pos] == ' ')
        {
            _pos++;
        }

        if (AtEnd || _text[_pos] == '\n')
        {
            return;
        }

        if (_text[_pos] == '#' && _pos > _lineStart && _text[_pos - 1] == ' ')
        {
            var eol = _text.IndexOf('\n', _pos);
            _pos = eol < 0 ? _text.Length : eol;
            return;
        }

        throw Leave();
    }

    /// <summary>
    /// The block node that follows a key or a <c>-</c> whose line held nothing more: it must sit on a
    /// later line, deeper than <paramref name="parentIndent"/> (or, as a mapping's value, an
    /// indentless sequence at the key's own indentation).
    /// </summary>
    private TreeNode BlockNode(int parentIndent, bool indentlessAllowed)
    {
        var indent = NextContent();
        if (indent < 0)
        {
            throw Leave(); // an empty value
        }

        if (indent > parentIndent && IsItem())
        {
            return Sequence(indent, indentless: false);
        }

        if (indent == parentIndent && indentlessAllowed && IsItem())
        {
            return Sequence(indent, indentless: true);
        }

        if (indent <= parentIndent)
        {
            throw Leave(); // an empty value
        }

        return Mapping(indent);
    }

    private bool IsItem() => _text[_pos] == '-' && At(_pos + 1) is ' ' or '\n';

    /// <summary>A block sequence whose first <c>-</c> is at the position, at <paramref name="indent"/>.</summary>
    private TreeSequence Sequence(int indent, bool indentless)
    {
        var (line, column) = (_line, Column);
        var start = _open.Count;
        Open();
        while (true)
        {
            _pos++; // the '-'
            SkipSpaces();
            _open.Add(InlineOrBlock(indent, isItem: true));
            var next = NextContent();
            if (next == indent && IsItem())
            {
                continue;
            }

            if (next < indent || (next == indent && indentless))
            {
                break;
            }

            throw Leave();
        }

        _depth--;
        return new TreeSequence(line, column, Close(start));
    }

    /// <summary>A block mapping whose first key is at the position, at <paramref name="indent"/>.</summary>
    private TreeMapping Mapping(int indent)
    {
        var (line, column) = (_line, Column);
        var start = _open.Count;
        Open();
        HashSet<string>? keys = null;
        while (true)
        {
            var key = Key();
            if (!IsNewKey(CollectionsMarshal.AsSpan(_open)[start..], key.Value, ref keys))
            {
                throw Leave(); // YamlDotNet words the duplicate
            }

            SkipSpaces();
            _open.Add(key);
            _open.Add(InlineOrBlock(indent, isItem: false));
            var next = NextContent();
            if (next == indent && !IsItem())
            {
                continue;
            }

            if (next < indent)
            {
                break;
            }

            throw Leave();
        }

        _depth--;
        return new TreeMapping(line, column, Close(start));
    }

    /// <summary>
    /// A document written as JSON (YAML's flow style, as the API's clients and the stored run
    /// manifests write it), read with <see cref="Utf8JsonReader"/>: objects and arrays, strings
    /// (quoted scalars, escapes read by the reader), numbers, <c>true</c>, <c>false</c> and
    /// <c>null</c> (plain scalars, as YAML reads them). It ends at a <c>---</c> line or the text's end,
    /// with nothing after the value but blank lines. Anything else (invalid JSON, comments,
    /// duplicate keys, a limit reached) leaves the whole text to YamlDotNet, as elsewhere here.
    /// </summary>
    private TreeNode JsonDocument()
    {
        var end = _pos;
        while ((end = _text.IndexOf("\n---", end, StringComparison.Ordinal)) >= 0 && !(At(end + 4) is ' ' or '\n'))
        {
            end += 4;
        }

        end = end < 0 ? _text.Length : end + 1;
        // ASCII only (TryParse checked), so a byte's index is a character's.
        var bytes = System.Text.Encoding.ASCII.GetBytes(_text, _pos, end - _pos);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { MaxDepth = (int)Math.Min(_limits.MaxYamlDepth + 1L, int.MaxValue) });
        _jsonStart = _pos;
        TreeNode root;
        try
        {
            reader.Read();
            root = JsonValue(ref reader);
        }
        catch (JsonException)
        {
            throw Leave();
        }

        if (bytes.AsSpan((int)reader.BytesConsumed).ContainsAnyExcept((byte)' ', (byte)'\n'))
        {
            throw Leave(); // a comment, or more than one value
        }

        MoveTo(end);
        return root;
    }

    /// <summary>Where the JSON document being read starts: its reader's byte indexes count from there.</summary>
    private int _jsonStart;

    private TreeNode JsonValue(ref Utf8JsonReader reader)
    {
        var (line, column) = JsonPosition(reader.TokenStartIndex);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
            {
                var start = _open.Count;
                Open();
                HashSet<string>? keys = null;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var (keyLine, keyColumn) = JsonPosition(reader.TokenStartIndex);
                    var key = new TreeScalar(JsonText(ref reader), isPlain: false, keyLine, keyColumn);
                    Count();
                    if (!IsNewKey(CollectionsMarshal.AsSpan(_open)[start..], key.Value, ref keys))
                    {
                        throw Leave(); // YamlDotNet words the duplicate
                    }

                    reader.Read();
                    _open.Add(key);
                    _open.Add(JsonValue(ref reader));
                }

                _depth--;
                return new TreeMapping(line, column, Close(start));
            }

            case JsonTokenType.StartArray:
            {
                var start = _open.Count;
                Open();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    _open.Add(JsonValue(ref reader));
                }

                _depth--;
                return new TreeSequence(line, column, Close(start));
            }

            case JsonTokenType.String:
                Count();
                return new TreeScalar(JsonText(ref reader), isPlain: false, line, column);
            case JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null:
                Count();
                return new TreeScalar(JsonText(ref reader), isPlain: true, line, column);
            default:
                throw Leave();
        }
    }

    /// <summary>A string's value (unescaped) or a literal's text, through the pool.</summary>
    private string JsonText(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped)
        {
            var value = reader.GetString()!;
            return Text(value, value);
        }

        var raw = reader.ValueSpan;
        if (raw.Length > PooledLength)
        {
            var value = System.Text.Encoding.ASCII.GetString(raw);
            return Text(value, value);
        }

        Span<char> chars = stackalloc char[raw.Length];
        System.Text.Encoding.ASCII.GetChars(raw, chars);
        return Text(chars);
    }

    /// <summary>Line and column (1-based) of the JSON token at <paramref name="index"/> of the document's bytes, the position moved there; tokens come in order.</summary>
    private (int Line, int Column) JsonPosition(long index)
    {
        MoveTo(_jsonStart + (int)index);
        return (_line, Column);
    }

    /// <summary>Moves the position forward to <paramref name="at"/>, counting the lines passed.</summary>
    private void MoveTo(int at)
    {
        var passed = _text.AsSpan(_pos, at - _pos);
        var lastBreak = passed.LastIndexOf('\n');
        if (lastBreak >= 0)
        {
            _line += passed.Count('\n');
            _lineStart = _pos + lastBreak + 1;
        }

        _pos = at;
    }

    /// <summary>The nodes of the collection being closed, from <paramref name="start"/> of <see cref="_open"/>, as an array of their number.</summary>
    private TreeNode[] Close(int start)
    {
        var nodes = CollectionsMarshal.AsSpan(_open)[start..].ToArray();
        _open.RemoveRange(start, nodes.Length);
        return nodes;
    }

    private void Open()
    {
        if (++_depth > _limits.MaxYamlDepth)
        {
            throw Leave();
        }

        Count();
    }

    private void Count()
    {
        if (++_nodes > _limits.MaxYamlNodes)
        {
            throw Leave();
        }
    }

    /// <summary>
    /// The value after a key's <c>:</c> or an item's <c>-</c> (spaces skipped): on this line, or
    /// when the line holds nothing more, the block node below it. <paramref name="indent"/> is
    /// the indentation of the key or the <c>-</c>.
    /// </summary>
    private TreeNode InlineOrBlock(int indent, bool isItem)
    {
        var c = At(_pos);
        if (c == '\n' || (c == '#' && _text[_pos - 1] == ' '))
        {
            RestOfLineBlank();
            return BlockNode(indent, indentlessAllowed: !isItem);
        }

        if (isItem)
        {
            if (c == '-' && At(_pos + 1) is ' ' or '\n')
            {
                throw Leave(); // "- - x"
            }

            // "- key: value" opens a mapping at the key's column.
            if (LineHoldsKey())
            {
                return Mapping(Column - 1);
            }
        }

        TreeNode value;
        if (c == '[')
        {
            value = FlowSequence();
        }
        else if (c == '|')
        {
            value = Literal(indent);
        }
        else
        {
            value = Scalar(flow: false);
            if (!isItem && At(_pos) == ':')
            {
                throw Leave(); // "a: b: c"
            }
        }

        RestOfLineBlank();
        ContinuationGuard(indent);
        return value;
    }

    /// <summary>A value on a key's line must not go on over the lines below (a multi-line scalar): left to YamlDotNet.</summary>
    private void ContinuationGuard(int indent)
    {
        var save = (_pos, _line, _lineStart);
        var next = NextContent();
        var deeper = next > indent;
        (_pos, _line, _lineStart) = save;
        if (deeper)
        {
            throw Leave();
        }
    }

    /// <summary>Whether the line, from the position, is a key and its <c>:</c>.</summary>
    private bool LineHoldsKey()
    {
        var c = _text[_pos];
        if (c is '"' or '\'')
        {
            var close = _text.IndexOf(c, _pos + 1);
            if (close < 0)
            {
                return false;
            }

            var i = close + 1;
            while (At(i) == ' ')
            {
                i++;
            }

            return At(i) == ':' && At(i + 1) is ' ' or '\n';
        }

        for (var i = _pos; i < _text.Length && _text[i] != '\n'; i++)
        {
            if (_text[i] == ':' && At(i + 1) is ' ' or '\n')
            {
                return true;
            }

            if (_text[i] == '#' && _text[i - 1] == ' ')
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>A key at the position, then its <c>:</c> (the position left after it).</summary>
    private TreeScalar Key()
    {
        var start = _pos;
        var key = Scalar(flow: false);
        if (At(_pos) != ':' || At(_pos + 1) is not (' ' or '\n') || _pos - start > MaxKeyLength)
        {
            throw Leave();
        }

        _pos++;
        return key;
    }

    private void SkipSpaces()
    {
        while (At(_pos) == ' ')
        {
            _pos++;
        }
    }

    /// <summary>
    /// A one-line scalar at the position; leaves the position after it and the spaces that follow.
    /// A plain one stops before <c>": "</c>, <c>" #"</c> and the line's end (in a flow sequence
    /// also before <c>,</c> and <c>]</c>).
    /// </summary>
    private TreeScalar Scalar(bool flow)
    {
        var line = _line;
        var column = Column;
        var c = _text[_pos];
        string value;
        bool plain;
        if (c is '"' or '\'')
        {
            value = Quoted(c);
            plain = false;
        }
        else
        {
            if (Indicators.Contains(c) && !(c == '-' && At(_pos + 1) is not (' ' or '\n' or ',' or ']' or '[')))
            {
                throw Leave();
            }

            var start = _pos;
            var end = _pos;
            while (true)
            {
                var ch = At(_pos);
                if (ch == '\n' || (ch == ':' && At(_pos + 1) is ' ' or '\n') || (ch == '#' && _text[_pos - 1] == ' '))
                {
                    break;
                }

                if (flow && ch is ',' or ']' or '[' or '{' or '}' or ':')
                {
                    if (ch is '[' or '{' or '}' or ':')
                    {
                        throw Leave();
                    }

                    break;
                }

                _pos++;
                if (ch != ' ')
                {
                    end = _pos;
                }
            }

            value = Text(_text.AsSpan(start, end - start));
            plain = true;
        }

        SkipSpaces();
        Count();
        return new TreeScalar(value, plain, line, column);
    }

    /// <summary>A quoted scalar closed on its own line: no escapes in double quotes; <c>''</c> in single ones.</summary>
    private string Quoted(char quote)
    {
        var start = ++_pos;
        var eol = _text.IndexOf('\n', start);
        var lineEnd = eol < 0 ? _text.Length : eol;
        var close = _text.IndexOf(quote, start, lineEnd - start);
        if (close < 0)
        {
            throw Leave();
        }

        if (quote == '"')
        {
            if (_text.AsSpan(start, close - start).Contains('\\'))
            {
                throw Leave();
            }

            _pos = close + 1;
            return Text(_text.AsSpan(start, close - start));
        }

        if (At(close + 1) != '\'')
        {
            _pos = close + 1;
            return Text(_text.AsSpan(start, close - start));
        }

        // '' stands for one quote.
        var sb = new System.Text.StringBuilder();
        var i = start;
        while (true)
        {
            close = _text.IndexOf('\'', i, lineEnd - i);
            if (close < 0)
            {
                throw Leave();
            }

            sb.Append(_text, i, close - i);
            if (At(close + 1) == '\'')
            {
                sb.Append('\'');
                i = close + 2;
                continue;
            }

            _pos = close + 1;
            return Text(sb.ToString());
        }
    }

    /// <summary>
    /// A literal block scalar (<c>|</c> or <c>|-</c>, the form Tekton scripts take) below a key or
    /// <c>-</c> at <paramref name="parentIndent"/>; its indentation is its first line's. Left to
    /// YamlDotNet: <c>|+</c>, an indentation indicator, a blank first line, a blank line holding
    /// more spaces than the indentation, an empty body, a body running to the end of the text
    /// without a line break. The position is left at the end of the last content line.
    /// </summary>
    private TreeScalar Literal(int parentIndent)
    {
        var line = _line;
        var column = Column;
        _pos++; // '|'
        var strip = At(_pos) == '-';
        if (strip)
        {
            _pos++;
        }

        if (At(_pos) is not (' ' or '\n'))
        {
            throw Leave();
        }

        RestOfLineBlank();
        if (AtEnd)
        {
            throw Leave();
        }

        var body = new System.Text.StringBuilder();
        var indent = -1;
        var blanks = 0;
        var i = _pos + 1; // the next line's start
        var lastEnd = -1;
        var lastLine = _line;
        var lastLineStart = _lineStart;
        var lineNumber = _line;
        while (i < _text.Length)
        {
            lineNumber++;
            var k = i;
            while (k < _text.Length && _text[k] == ' ')
            {
                k++;
            }

            var spaces = k - i;
            if (k >= _text.Length)
            {
                break; // trailing spaces at the end of the text
            }

            if (_text[k] == '\n')
            {
                if (indent < 0 || spaces > indent)
                {
                    throw Leave();
                }

                blanks++;
                i = k + 1;
                continue;
            }

            if (indent < 0)
            {
                if (spaces <= parentIndent)
                {
                    throw Leave(); // an empty body
                }

                indent = spaces;
            }
            else if (spaces < indent)
            {
                break;
            }

            var eol = _text.IndexOf('\n', k);
            if (eol < 0)
            {
                throw Leave(); // no line break after the last line
            }

            if (body.Length > 0 || lastEnd >= 0)
            {
                body.Append('\n', blanks + 1);
            }

            blanks = 0;
            body.Append(_text, i + indent, eol - i - indent);
            lastEnd = eol;
            lastLine = lineNumber;
            lastLineStart = i;
            i = eol + 1;
        }

        if (indent < 0)
        {
            throw Leave();
        }

        if (!strip)
        {
            body.Append('\n');
        }

        (_pos, _line, _lineStart) = (lastEnd, lastLine, lastLineStart);
        Count();
        return new TreeScalar(Text(body.ToString()), isPlain: false, line, column);
    }

    /// <summary>A flow sequence of one-line scalars, closed on its own line.</summary>
    private TreeSequence FlowSequence()
    {
        var (line, column) = (_line, Column);
        var start = _open.Count;
        Open();
        _pos++; // '['
        SkipSpaces();
        if (At(_pos) == ']')
        {
            _pos++;
            _depth--;
            return new TreeSequence(line, column);
        }

        while (true)
        {
            if (At(_pos) is ',' or ']' or '\n' or '#')
            {
                throw Leave();
            }

            _open.Add(Scalar(flow: true));
            var c = At(_pos);
            _pos++;
            if (c == ']')
            {
                break;
            }

            if (c != ',')
            {
                throw Leave();
            }

            SkipSpaces();
        }

        _depth--;
        return new TreeSequence(line, column, Close(start));
    }

    /// <summary>
    /// A scalar's characters as a string, within the limit and through the pool;
    /// <paramref name="made"/>, the same characters as a string already made, is kept rather than copied.
    /// </summary>
    private string Text(ReadOnlySpan<char> chars, string? made = null)
    {
        if (chars.Length > _limits.MaxYamlScalarLength)
        {
            throw Leave();
        }

        if (chars.Length > PooledLength)
        {
            return made ?? chars.ToString();
        }

        if (_pool.TryGetValue(chars, out var shared))
        {
            return shared;
        }

        var s = made ?? chars.ToString();
        _pool[s] = s;
        return s;
    }

    /// <summary>Whether <paramref name="key"/> is not among the keys of <paramref name="entries"/> (keys and values alternating; keys are scalars here).</summary>
    private static bool IsNewKey(ReadOnlySpan<TreeNode> entries, string key, ref HashSet<string>? keys)
    {
        if (entries.Length < 16)
        {
            for (var i = 0; i < entries.Length; i += 2)
            {
                var text = ((TreeScalar)entries[i]).Value;
                if (ReferenceEquals(text, key) || string.Equals(text, key, StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        }

        if (keys is null)
        {
            keys = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < entries.Length; i += 2)
            {
                keys.Add(((TreeScalar)entries[i]).Value);
            }
        }

        return keys.Add(key);
    }
}
