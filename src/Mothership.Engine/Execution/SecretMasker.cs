namespace Mothership.Engine.Execution;

/// <summary>
/// Replaces the values of the Secrets a TaskRun uses with <c>***</c> in its log lines, whichever
/// executor streams them. (Tekton itself masks nothing; Mothership's logs are kept and served.)
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
