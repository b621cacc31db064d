namespace Mothership.Cloud.Sources;

/// <summary>
/// Remembers every answer of another <see cref="IRepositoryFiles"/>, so that planning many sites of
/// one revision reads each shared file (cloud.yaml, the global, environment and region layers, a
/// path chart's files) once: a git tree lookup and blob read cost far more than a dictionary hit.
/// Meant for one planning pass over a fixed state; not thread-safe, like the git reader beneath.
/// </summary>
internal sealed class CachedRepositoryFiles(IRepositoryFiles inner) : IRepositoryFiles
{
    private readonly Dictionary<string, string?> _texts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _fingerprints = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<string>> _lists = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<string>> _directories = new(StringComparer.Ordinal);

    public IRepositoryFiles Inner { get; } = inner;

    public string Revision => Inner.Revision;

    public string? ReadText(string path) => Remember(_texts, path, Inner.ReadText);

    public string? Fingerprint(string path) => Remember(_fingerprints, path, Inner.Fingerprint);

    public IReadOnlyList<string> List(string directory) => Remember(_lists, directory, Inner.List);

    public IReadOnlyList<string> Directories(string directory) => Remember(_directories, directory, Inner.Directories);

    private static T Remember<T>(Dictionary<string, T> cache, string key, Func<string, T> read)
    {
        if (!cache.TryGetValue(key, out var value))
        {
            value = read(key);
            cache[key] = value;
        }

        return value;
    }
}
