using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;
using Mothership.Model.Validation;

namespace Mothership.Cli.Commands;

/// <summary>Loads and validates <c>-f</c> files, printing diagnostics the way compilers do.</summary>
internal static class InputFiles
{
    /// <summary>Loads and validates; returns null (after printing every error) when the input is unusable.</summary>
    public static ResourceSet? LoadValid(IReadOnlyList<string> files, TextWriter stderr)
    {
        var bag = new DiagnosticBag();
        var expanded = Expand(files, bag);
        var resources = ResourceLoader.LoadFiles(expanded, bag);
        if (!bag.HasErrors)
        {
            ResourceValidator.Validate(resources, bag);
        }

        Print(bag, stderr);
        return bag.HasErrors ? null : resources;
    }

    public static void Print(DiagnosticBag bag, TextWriter stderr)
    {
        foreach (var d in bag.Sorted())
        {
            stderr.WriteLine(d.ToString());
        }
    }

    /// <summary>A directory stands for the YAML files in it; a missing file is a diagnostic.</summary>
    public static List<string> Expand(IEnumerable<string> files, DiagnosticBag bag)
    {
        var result = new List<string>();
        foreach (var f in files)
        {
            if (Directory.Exists(f))
            {
                result.AddRange(Directory.EnumerateFiles(f).Where(p => p.EndsWith(".yaml", StringComparison.Ordinal) || p.EndsWith(".yml", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
            }
            else if (File.Exists(f))
            {
                result.Add(f);
            }
            else
            {
                bag.Error(new SourceLocation(f, 0, 0), "file not found");
            }
        }

        return result;
    }
}
