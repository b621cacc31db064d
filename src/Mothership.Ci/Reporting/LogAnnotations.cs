using System.Globalization;
using System.Text.RegularExpressions;
using Mothership.Ci.Forge;

namespace Mothership.Ci.Reporting;

/// <summary>
/// Annotations from a failed step's log: the compilers' and linters' <c>FILE:LINE:COL: error: MESSAGE</c>
/// and <c>FILE:LINE: error: MESSAGE</c> lines (gcc, clang, go vet, swiftc, mypy and many more write
/// them), each a failure on that line of the pull request's files. Pure.
/// </summary>
public static partial class LogAnnotations
{
    /// <summary>
    /// Where the checkout lies in an absolute path a step printed: Tekton's mount of the
    /// <c>source</c> workspace (<c>/workspace/source/</c>), and the local executor's directories
    /// for it (<c>…/ws-source/</c>, <c>…/claims/source/</c>). The path after the first one is the
    /// file in the repository.
    /// </summary>
    public static readonly IReadOnlyList<string> CheckoutMarkers =
        [$"/workspace/{Triggers.CloneRefs.Workspace}/", $"/ws-{Triggers.CloneRefs.Workspace}/", $"/claims/{Triggers.CloneRefs.Workspace}/"];

    /// <summary>
    /// The first <see cref="CheckRunOutput.MaxAnnotations"/> distinct annotations in <paramref name="lines"/>,
    /// in order. Colour codes are ignored; paths are made relative to the checkout (a leading
    /// <c>./</c> dropped, an absolute path cut after a <see cref="CheckoutMarkers"/> entry); an
    /// absolute path outside the checkout names no file of the pull request and is skipped.
    /// </summary>
    public static IReadOnlyList<CheckAnnotation> Parse(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var found = new List<CheckAnnotation>();
        var seen = new HashSet<CheckAnnotation>();
        foreach (var raw in lines)
        {
            if (found.Count == CheckRunOutput.MaxAnnotations)
            {
                break;
            }

            var line = raw.Contains('\u001b', StringComparison.Ordinal) ? Ansi().Replace(raw, "") : raw;
            var m = ErrorLine().Match(line);
            if (!m.Success || RelativePath(m.Groups["path"].Value) is not { } path
                || !int.TryParse(m.Groups["line"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
            {
                continue;
            }

            int? column = m.Groups["col"].Success && int.TryParse(m.Groups["col"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var c) && c > 0 ? c : null;
            var annotation = new CheckAnnotation(path, number, column, m.Groups["message"].Value);
            if (seen.Add(annotation))
            {
                found.Add(annotation);
            }
        }

        return found;
    }

    /// <summary>The path relative to the checkout; null when it lies outside.</summary>
    internal static string? RelativePath(string path)
    {
        if (path.StartsWith('/'))
        {
            var cut = CheckoutMarkers
                .Select(marker => (At: path.IndexOf(marker, StringComparison.Ordinal), marker.Length))
                .Where(x => x.At >= 0)
                .OrderBy(x => x.At)
                .Select(x => x.At + x.Length)
                .FirstOrDefault(-1);
            if (cut < 0)
            {
                return null;
            }

            path = path[cut..];
        }

        while (path.StartsWith("./", StringComparison.Ordinal))
        {
            path = path[2..];
        }

        return path.Length == 0 || path.Split('/').Contains("..") ? null : path;
    }

    [GeneratedRegex(@"^\s*(?<path>[^\s:]+):(?<line>\d+):(?:(?<col>\d+):)?\s*(?:fatal\s+)?error:\s*(?<message>\S.*?)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex ErrorLine();

    [GeneratedRegex(@"\u001b\[[0-9;?]*[A-Za-z]", RegexOptions.CultureInvariant)]
    private static partial Regex Ansi();
}
