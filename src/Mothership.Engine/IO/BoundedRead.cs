namespace Mothership.Engine.IO;

/// <summary>Reading what another party sends (a registry, a web server, a decompressed layer) with a limit, so that no answer can fill the memory.</summary>
public static class BoundedRead
{
    /// <summary>All of <paramref name="stream"/>, or <paramref name="tooLarge"/>'s exception as soon as it passes <paramref name="maxBytes"/>.</summary>
    public static async Task<byte[]> ReadAsync(Stream stream, long maxBytes, Func<Exception> tooLarge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tooLarge);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw tooLarge();
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
