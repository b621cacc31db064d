using System.Text;

namespace Mothership.Executors.Local.Results;

/// <summary>
/// Reads results written as files, one file per result name, byte for byte (the engine's
/// <c>AttemptRules</c> types and limits them). Names that were not written are absent.
/// </summary>
internal static class ResultFiles
{
    public static Dictionary<string, string> Read(string directory, IEnumerable<string> names)
    {
        var results = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var file = Path.Combine(directory, name);
            if (File.Exists(file))
            {
                results[name] = File.ReadAllText(file, Encoding.UTF8);
            }
        }

        return results;
    }
}
