using System.Text;

namespace Mothership.Executors.Local.Processes;

/// <summary>
/// A pipe's bytes, as they arrive in reads of any size, cut into lines as
/// <see cref="StreamReader.ReadLine()"/> cuts them: at <c>\n</c>, <c>\r\n</c> or <c>\r</c>,
/// decoded as UTF-8 (invalid bytes become U+FFFD), a byte-order mark at the very start dropped;
/// what follows the last line ending waits for the next read, or for <see cref="Finish"/>.
/// </summary>
internal sealed class LineSplitter(Action<string> onLine)
{
    private static readonly byte[] Preamble = [0xEF, 0xBB, 0xBF];
    private byte[] _partial = [];
    private int _partialLength;
    private bool _afterCr;
    private bool _first = true;

    /// <summary>The next bytes read; gives every line they end.</summary>
    public void Take(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        if (_afterCr && bytes[0] == (byte)'\n')
        {
            bytes = bytes[1..];
        }

        _afterCr = false;
        while (!bytes.IsEmpty)
        {
            var end = bytes.IndexOfAny((byte)'\n', (byte)'\r');
            if (end < 0)
            {
                Keep(bytes);
                return;
            }

            if (_partialLength == 0)
            {
                Emit(bytes[..end]);
            }
            else
            {
                Keep(bytes[..end]);
                Emit(_partial.AsSpan(0, _partialLength));
                _partialLength = 0;
            }

            if (bytes[end] == (byte)'\r')
            {
                if (end + 1 == bytes.Length)
                {
                    _afterCr = true;
                    return;
                }

                if (bytes[end + 1] == (byte)'\n')
                {
                    end++;
                }
            }

            bytes = bytes[(end + 1)..];
        }
    }

    /// <summary>End of file: what is left is the last line, unless nothing is.</summary>
    public void Finish()
    {
        var rest = _partial.AsSpan(0, _partialLength);
        if (_first && rest.StartsWith(Preamble))
        {
            rest = rest[Preamble.Length..];
        }

        if (!rest.IsEmpty)
        {
            _first = false;
            onLine(Encoding.UTF8.GetString(rest));
        }

        _partialLength = 0;
    }

    private void Emit(ReadOnlySpan<byte> line)
    {
        if (_first)
        {
            _first = false;
            if (line.StartsWith(Preamble))
            {
                line = line[Preamble.Length..];
            }
        }

        onLine(Encoding.UTF8.GetString(line));
    }

    private void Keep(ReadOnlySpan<byte> bytes)
    {
        if (_partialLength + bytes.Length > _partial.Length)
        {
            Array.Resize(ref _partial, Math.Max(256, Math.Max(_partial.Length * 2, _partialLength + bytes.Length)));
        }

        bytes.CopyTo(_partial.AsSpan(_partialLength));
        _partialLength += bytes.Length;
    }
}
