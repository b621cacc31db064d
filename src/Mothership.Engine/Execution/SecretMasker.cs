using System.Text.Json.Nodes;

namespace Mothership.Engine.Execution;

/// <summary>
/// Replaces secret values with <c>***</c>: in an attempt's log lines, whichever executor streams
/// them, and in run objects and events (<see cref="Status.RunSecrets"/>). (Tekton itself masks
/// nothing; Mothership's logs and run objects are kept and served.)
/// </summary>
public sealed class SecretMasker
{
    private readonly HashSet<string> _values = new(StringComparer.Ordinal);
    private string[] _ordered = [];

    public void Add(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_values)
        {
            // A multi-line secret reaches the log one line at a time.
            foreach (var part in value.Split('\n').Select(p => p.TrimEnd('\r')).Append(value))
            {
                if (part.Length > 0)
                {
                    _values.Add(part);
                }
            }

            // Longest first, so a secret containing another is masked whole.
            _ordered = [.. _values.OrderByDescending(v => v.Length)];
        }
    }

    /// <summary>True when there is nothing to mask (no work is done then).</summary>
    public bool IsEmpty => _ordered.Length == 0;

    /// <summary>Masks every string in <paramref name="node"/>, in place (a run object, an event); returns it.</summary>
    public T Mask<T>(T node)
        where T : JsonNode
    {
        ArgumentNullException.ThrowIfNull(node);
        if (!IsEmpty)
        {
            MaskStrings(node);
        }

        return node;
    }

    private void MaskStrings(JsonNode node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o.ToList())
                {
                    if (child is JsonValue v && v.TryGetValue<string>(out var text))
                    {
                        o[key] = Mask(text);
                    }
                    else if (child is not null)
                    {
                        MaskStrings(child);
                    }
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    if (a[i] is JsonValue v && v.TryGetValue<string>(out var text))
                    {
                        a[i] = Mask(text);
                    }
                    else if (a[i] is { } child)
                    {
                        MaskStrings(child);
                    }
                }

                break;
        }
    }

    public string Mask(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var values = _ordered;
        foreach (var v in values)
        {
            if (line.Contains(v, StringComparison.Ordinal))
            {
                line = line.Replace(v, "***", StringComparison.Ordinal);
            }
        }

        return line;
    }
}
