using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Mothership.Ci.Jobs;

namespace Mothership.Ci.PipelinesAsCode;

/// <summary>
/// PaC's comment commands (its <c>opscomments</c>) as they start <c>.tekton/</c> PipelineRuns:
/// <c>/test NAME</c> and <c>/retest NAME</c> one by name, <c>/test</c> (and Prow's
/// <c>/test all</c>) every matching one, <c>/retest</c> the matching ones that have not passed,
/// <c>/ok-to-test</c> as <c>/retest</c>.
/// </summary>
public static class PacCommands
{
    /// <summary>PaC's event type of <c>/test</c> and <c>/test all</c>.</summary>
    public const string TestAll = "test-all-comment";

    /// <summary>PaC's event type of <c>/test NAME</c>.</summary>
    public const string TestSingle = "test-comment";

    /// <summary>PaC's event type of <c>/retest</c>.</summary>
    public const string RetestAll = "retest-all-comment";

    /// <summary>PaC's event type of <c>/retest NAME</c>.</summary>
    public const string RetestSingle = "retest-comment";

    /// <summary>PaC's event type of <c>/ok-to-test</c>.</summary>
    public const string OkToTestComment = "ok-to-test-comment";

    private static readonly Regex TestAllRegex = GoRegex.Compile(@"(?m)^/test(?:[ \t]+all,?)?\s*$");
    private static readonly Regex RetestAllRegex = GoRegex.Compile(@"(?m)^/retest\s*$");
    private static readonly Regex Single = GoRegex.Compile(@"(?m)^/(re)?test[ \t]+(\S.*)$");

    /// <summary>The PipelineRun names of <c>/test NAME…</c> or <c>/retest NAME…</c> lines; none for other comments.</summary>
    public static ImmutableArray<string> Named(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return [.. Single.Matches(body)
            .SelectMany(m => m.Groups[2].Value.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Where(n => n is not "all" and not "?")
            .Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The event type PaC gives <paramref name="body"/> (CEL's <c>event_type</c>); <paramref name="okToTest"/> when it is an honoured <c>/ok-to-test</c>.</summary>
    public static string EventType(string body, bool okToTest)
    {
        ArgumentNullException.ThrowIfNull(body);
        return true switch
        {
            _ when RetestAllRegex.IsMatch(body) => RetestAll,
            _ when Single.Match(body) is { Success: true } m => m.Groups[1].Success ? RetestSingle : Named(body).IsEmpty ? TestAll : TestSingle,
            _ when TestAllRegex.IsMatch(body) => TestAll,
            _ when okToTest && TriggerCommands.OkToTest.IsMatch(body) => OkToTestComment,
            _ => PacEvent.NoOpsCommentEventType,
        };
    }
}
