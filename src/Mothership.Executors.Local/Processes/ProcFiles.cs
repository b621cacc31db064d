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

    /// <summary>
    /// Reads the whole file into <paramref name="buffer"/>, which grows when the file does not fit
    /// and is kept by the caller for the next read (an attempt's end reads several files, and a
    /// fresh 4 KiB array each was most of what that end allocated); returns the length, or -1 when
    /// the file cannot be opened or read (gone, another user's).
    /// </summary>
    public static int Read(string path, ref byte[] buffer)
    {
        var fd = Open(path, ReadOnlyCloseOnExec);
        if (fd < 0)
        {
            return -1;
        }

        try
        {
            // /proc files report size 0: read until end of file.
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    Array.Resize(ref buffer, Math.Max(4096, buffer.Length * 2));
                }

                var n = ReadSome(fd, buffer.AsSpan(length));
                if (n < 0)
                {
                    return -1;
                }

                if (n == 0)
                {
                    return length;
                }

                length += n;
            }
        }
        finally
        {
            PosixSpawn.CloseFd(fd);
        }
    }

    /// <summary>The number a file such as <c>/proc/sys/kernel/ns_last_pid</c> holds, or null.</summary>
    public static int? ReadInt(string path)
    {
        var fd = Open(path, ReadOnlyCloseOnExec);
        if (fd < 0)
        {
            return null;
        }

        try
        {
            Span<byte> buffer = stackalloc byte[32];
            var length = 0;
            while (length < buffer.Length)
            {
                var n = ReadSome(fd, buffer[length..]);
                if (n < 0)
                {
                    return null;
                }

                if (n == 0)
                {
                    return int.TryParse(buffer[..length].Trim(" \n"u8), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
                }

                length += n;
            }

            return null; // longer than any number
        }
        finally
        {
            PosixSpawn.CloseFd(fd);
        }
    }

    /// <summary>One read(2), retried when interrupted; -1 on an error.</summary>
    private static int ReadSome(int fd, Span<byte> into)
    {
        while (true)
        {
            nint n;
            fixed (byte* p = into)
            {
                n = ReadFd(fd, p, into.Length);
            }

            if (n >= 0 || Marshal.GetLastPInvokeError() != Eintr)
            {
                return (int)n;
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint ReadFd(int fd, byte* buffer, nint count);
}
