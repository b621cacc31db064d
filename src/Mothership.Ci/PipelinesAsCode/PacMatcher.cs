using System.Collections.Immutable;
using Mothership.Ci.Forge;
using Mothership.Ci.Jobs;
using Mothership.Model.Tekton;

namespace Mothership.Ci.PipelinesAsCode;

/// <summary>A <c>.tekton/</c> PipelineRun that cannot be matched, and why (a malformed annotation, a CEL error).</summary>
/// <param name="PipelineRun">The PipelineRun's name.</param>
/// <param name="Message">What is wrong, for the status description and the delivery's outcome.</param>
public sealed record PacMatchError(string PipelineRun, string Message);

/// <summary>The PipelineRuns an event starts, and those that could not be decided.</summary>
public sealed record PacMatches(ImmutableArray<PipelineRun> Matched, ImmutableArray<PacMatchError> Errors);

/// <summary>
/// PaC's matching of an event to the PipelineRuns of <c>.tekton/</c> (its annotation matcher),
/// as a pure function: a comment that matches an <c>on-comment</c> regex starts those
/// PipelineRuns alone; else <c>on-cel-expression</c>, when present, decides alone; else
/// <c>on-event</c> and <c>on-target-branch</c> must both be present and match, then
/// <c>on-path-change</c>, <c>on-label</c> and <c>on-path-change-ignore</c> filter. A
/// <c>labeled</c> action starts only PipelineRuns with <c>on-label</c>.
/// </summary>
public static class PacMatcher
{
    /// <summary>The name PaC knows a PipelineRun by: its <c>generateName</c> without the trailing dash, else its name.</summary>
    public static string NameOf(PipelineRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.Metadata.GenerateName is { Length: > 0 } generate ? generate.TrimEnd('-') : run.Metadata.Name ?? "";
    }

    /// <summary>
    /// The PipelineRuns of <paramref name="runs"/> that <paramref name="pacEvent"/> starts.
    /// <paramref name="changedFiles"/> is called at most once, and only when an annotation needs it.
    /// </summary>
    public static PacMatches Match(IEnumerable<PipelineRun> runs, PacEvent pacEvent, Func<IReadOnlyList<ChangedFile>> changedFiles)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(pacEvent);
        var lazy = new Lazy<IReadOnlyList<ChangedFile>>(changedFiles, LazyThreadSafetyMode.None);
        IReadOnlyList<string> Paths() => [.. lazy.Value.SelectMany(f => f.PreviousPath is { } previous ? new[] { f.Path, previous } : [f.Path])];
        var matched = ImmutableArray.CreateBuilder<PipelineRun>();
        var errors = ImmutableArray.CreateBuilder<PacMatchError>();
        foreach (var run in runs)
        {
            var name = NameOf(run);
            var annotations = run.Metadata.Annotations;
            if (pacEvent.Comment is { } comment && annotations.TryGetValue(PacAnnotations.OnComment, out var onComment))
            {
                if (GoRegex.TryCompile(onComment, out var regexError) is not { } regex)
                {
                    errors.Add(new PacMatchError(name, $"{PacAnnotations.OnComment} is not a regex: {regexError}"));
                    continue;
                }

                // PaC strips the comment's surrounding whitespace, so ^ and $ are its start and end.
                if (regex.IsMatch(comment.Trim()))
                {
                    matched.Add(run);
                    continue;
                }
            }

            if (pacEvent.IsCommentOnly)
            {
                continue;
            }

            if (annotations.TryGetValue(PacAnnotations.OnCelExpression, out var cel))
            {
                var result = PacCelEvaluator.Evaluate(cel, pacEvent, () => lazy.Value);
                if (result.Error is { } celError)
                {
                    errors.Add(new PacMatchError(name, $"{PacAnnotations.OnCelExpression}: {celError}"));
                }
                else if (result.Holds)
                {
                    matched.Add(run);
                }

                continue;
            }

            var hasOnLabel = annotations.ContainsKey(PacAnnotations.OnLabel);
            if (pacEvent.EventType == PacEvent.LabeledEventType && !hasOnLabel)
            {
                continue;
            }

            if (!annotations.TryGetValue(PacAnnotations.OnEvent, out var onEvent) || !annotations.TryGetValue(PacAnnotations.OnTargetBranch, out var onBranch))
            {
                continue;
            }

            if (!TryValues(PacAnnotations.OnEvent, onEvent, name, errors, out var events)
                || !TryValues(PacAnnotations.OnTargetBranch, onBranch, name, errors, out var branches))
            {
                continue;
            }

            if (!events.Contains(pacEvent.Kind, StringComparer.Ordinal) || !branches.Any(b => BranchMatches(b, pacEvent.TargetBranch)))
            {
                continue;
            }

            if (annotations.TryGetValue(PacAnnotations.OnPathChange, out var onPath))
            {
                if (!TryValues(PacAnnotations.OnPathChange, onPath, name, errors, out var globs) || !Paths().Any(f => globs.Any(g => PacGlob.IsMatch(g, f))))
                {
                    continue;
                }
            }

            if (annotations.TryGetValue(PacAnnotations.OnLabel, out var onLabel))
            {
                var labels = pacEvent.AddedLabel is { } added ? [added] : pacEvent.Labels;
                if (!TryValues(PacAnnotations.OnLabel, onLabel, name, errors, out var wanted) || !wanted.Any(l => labels.Contains(l, StringComparer.Ordinal)))
                {
                    continue;
                }
            }

            if (annotations.TryGetValue(PacAnnotations.OnPathChangeIgnore, out var ignore))
            {
                if (!TryValues(PacAnnotations.OnPathChangeIgnore, ignore, name, errors, out var globs) || Paths().Any(f => globs.Any(g => PacGlob.IsMatch(g, f))))
                {
                    continue;
                }
            }

            matched.Add(run);
        }

        return new PacMatches(matched.ToImmutable(), errors.ToImmutable());
    }

    /// <summary>
    /// An annotation's values as PaC reads them: <c>[a, b]</c> split on commas and trimmed, or one
    /// bare word; <c>&amp;#44;</c> stands for a comma inside a value.
    /// </summary>
    public static ImmutableArray<string>? Values(string annotation)
    {
        ArgumentNullException.ThrowIfNull(annotation);
        var text = annotation.Trim();
        if (text.StartsWith('[') && text.EndsWith(']'))
        {
            var values = text[1..^1].Split(',').Select(v => v.Trim().Replace("&#44;", ",", StringComparison.Ordinal)).ToImmutableArray();
            return values[0].Length == 0 ? null : values;
        }

        return text.Length > 0 && !text.Any(c => char.IsWhiteSpace(c) || c is '[' or ']') ? [text.Replace("&#44;", ",", StringComparison.Ordinal)] : null;
    }

    /// <summary>
    /// PaC's branch match: a pattern without <c>refs/</c> is a branch under <c>refs/heads/</c>; the
    /// target too (a pull request's base, a push's branch); tags match only as <c>refs/tags/…</c>.
    /// </summary>
    public static bool BranchMatches(string pattern, string target)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(target);
        if (pattern == target)
        {
            return true;
        }

        var full = target.StartsWith("refs/heads/", StringComparison.Ordinal) || target.StartsWith("refs/tags/", StringComparison.Ordinal) ? target : "refs/heads/" + target;
        var glob = pattern.StartsWith("refs/heads/", StringComparison.Ordinal) || pattern.StartsWith("refs/tags/", StringComparison.Ordinal) ? pattern : "refs/heads/" + pattern;
        return PacGlob.IsMatch(glob, full);
    }

    private static bool TryValues(string key, string annotation, string name, ImmutableArray<PacMatchError>.Builder errors, out ImmutableArray<string> values)
    {
        if (Values(annotation) is { } read)
        {
            values = read;
            return true;
        }

        errors.Add(new PacMatchError(name, $"{key} '{annotation}' is malformed: write [a, b] or one value"));
        values = [];
        return false;
    }
}
