using System.Text;
using Mothership.Engine.Execution;
using Mothership.Model.Tekton;

namespace Mothership.Executors.Local.Results;

/// <summary>
/// Reads results written as files: one file per declared result, kept byte for byte for
/// strings (a trailing newline from <c>echo</c> stays), parsed as JSON for arrays and objects.
/// Declared results that were not written are absent.
/// </summary>
internal static class ResultFiles
{
    public static List<RunResult> Read(string directory, IEnumerable<ResultSpec> declared, string owner)
    {
        var results = new List<RunResult>();
        foreach (var spec in declared)
        {
            var file = Path.Combine(directory, spec.Name);
            if (!File.Exists(file))
            {
                continue;
            }

            results.Add(new RunResult(spec.Name, Parse(spec, File.ReadAllText(file, Encoding.UTF8), owner)));
        }

        return results;
    }

    public static ParamValue Parse(ResultSpec spec, string text, string owner)
    {
        if (spec.Type == ParamType.String)
        {
            return ParamValue.Of(text);
        }

        var value = ParamValue.Parse(text, spec.Type);
        if (value.Type != spec.Type)
        {
            var kind = spec.Type == ParamType.Array ? "a JSON array" : "a JSON object";
            throw new TaskRunFailure($"{owner} result \"{spec.Name}\" is declared as {spec.Type.ToString().ToLowerInvariant()} but its value is not {kind}: {Shorten(text)}");
        }

        return value;
    }

    private static string Shorten(string text) => text.Length > 80 ? text[..80] + "…" : text;
}
