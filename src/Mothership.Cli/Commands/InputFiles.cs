using System.CommandLine;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;
using Mothership.Model.Validation;

namespace Mothership.Cli.Commands;

/// <summary>Loads and validates <c>-f</c> files, printing diagnostics the way compilers do.</summary>
internal static class InputFiles
{
    /// <summary>The files a directory stands for: Kubernetes manifests, as <c>kubectl -f DIR</c> reads them.</summary>
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    /// <summary><c>-R</c>/<c>--recursive</c>, as kubectl spells it: a directory given with <c>-f</c> stands for the files of its sub directories too.</summary>
    public static Option<bool> RecursiveOption() => new("--recursive", "-R")
    {
        Description = "read the directories given with -f recursively (default: only the files directly in them)",
    };

    /// <summary>Loads and validates; returns null (after printing every error) when the input is unusable.</summary>
    public static ResourceSet? LoadValid(IReadOnlyList<string> files, TextWriter stderr, bool recursive = false)
    {
        var bag = new DiagnosticBag();
        var expanded = Expand(files, bag, recursive);
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

    /// <summary>
    /// A directory stands for the <c>.yaml</c>, <c>.yml</c> and <c>.json</c> files in it (with
    /// <paramref name="recursive"/>, in its sub directories too, hidden ones excepted), in path
    /// order; a missing file is a diagnostic.
    /// </summary>
    public static List<string> Expand(IEnumerable<string> files, DiagnosticBag bag, bool recursive = false)
    {
        var result = new List<string>();
        foreach (var f in files)
        {
            if (Directory.Exists(f))
            {
                var root = Path.GetFullPath(f);
                result.AddRange(Directory.EnumerateFiles(f, "*", recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
                    .Where(p => Extensions.Any(e => p.EndsWith(e, StringComparison.Ordinal)) && !InHiddenDirectory(root, p))
                    .Order(StringComparer.Ordinal));
            }
            else if (File.Exists(f))
            {
                result.Add(f);
            }
            else
            {
                // -f takes several paths per token, so an option the command lacks lands here.
                bag.Error(new SourceLocation(f, 0, 0), f.StartsWith('-') ? "file not found, and not an option of this command (see --help)" : "file not found");
            }
        }

        return result;
    }

    /// <summary>Whether <paramref name="file"/> lies in a hidden sub directory of <paramref name="root"/> (<c>.git</c>, <c>.mothership</c>), which recursion skips.</summary>
    private static bool InHiddenDirectory(string root, string file) =>
        Path.GetRelativePath(root, Path.GetFullPath(file)).Split(Path.DirectorySeparatorChar).SkipLast(1).Any(d => d.StartsWith('.'));
}
