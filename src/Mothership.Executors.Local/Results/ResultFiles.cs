using System.Text;
using Mothership.Engine.Execution;
using Mothership.Model.Tekton;

namespace Mothership.Executors.Local.Results;

/// <summary>
/// Reads results written as files, one file per declared result, typed by
/// <see cref="ResultValues"/>. Declared results that were not written are absent.
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

    public static ParamValue Parse(ResultSpec spec, string text, string owner) =>
        ResultValues.Parse(spec, text, owner, out var error) ?? throw new TaskRunFailure(error!);
}
