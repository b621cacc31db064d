namespace Mothership.Ci.Releases;

/// <summary>A release range that cannot be read: not a repository, or a revision that does not resolve. Its message is one line for the user.</summary>
public sealed class ReleaseRangeException : Exception
{
    /// <summary>An exception with <paramref name="message"/>.</summary>
    public ReleaseRangeException(string message)
        : base(message)
    {
    }

    /// <summary>An exception with no message.</summary>
    public ReleaseRangeException()
    {
    }

    /// <summary>An exception with <paramref name="message"/> and its cause.</summary>
    public ReleaseRangeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
