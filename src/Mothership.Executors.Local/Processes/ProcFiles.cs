using System.Globalization;
using System.Runtime.InteropServices;

namespace Mothership.Executors.Local.Processes;

/// <summary>
/// Small files under <c>/proc</c> read with <c>open</c>, <c>read</c> and <c>close</c> alone. Every
/// attempt reads a few of them (<c>ns_last_pid</c> twice, the <c>environ</c> of each process
/// started meanwhile); <see cref="File.ReadAllBytes(string)"/> adds a stat, an <c>fstat</c> and two
/// <c>flock</c> calls to each, and a missing file costs an exception instead of an errno.
/// </summary>
internal static unsafe partial class ProcFiles
{
    private const int ReadOnlyCloseOnExec = 0x80000; // O_RDONLY | O_CLOEXEC
    private const int Eintr = 4;

    /// <summary>The whole file, or null when it cannot be opened or read (gone, another user's).</summary>
    public static byte[]? Read(string path)
    {
        var fd = Open(path, ReadOnlyCloseOnExec);
        if (fd < 0)
        {
            return null;
        }

        try
        {
            // /proc files report size 0: read until end of file.
            var buffer = new byte[4096];
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                nint n;
                fixed (byte* p = &buffer[length])
                {
                    n = ReadFd(fd, p, buffer.Length - length);
                }

                if (n < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Eintr)
                    {
                        continue;
                    }

                    return null;
                }

                if (n == 0)
                {
                    return buffer[..length];
                }

                length += (int)n;
            }
        }
        finally
        {
            _ = CloseFd(fd);
        }
    }

    /// <summary>The number a file such as <c>/proc/sys/kernel/ns_last_pid</c> holds, or null.</summary>
    public static int? ReadInt(string path) =>
        Read(path) is { } bytes && int.TryParse(System.Text.Encoding.ASCII.GetString(bytes).AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint ReadFd(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int CloseFd(int fd);
}
