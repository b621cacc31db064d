using System.Collections.Immutable;
using System.Text;

namespace Mothership.Ci.Jobs;

/// <summary>
/// The answer to <c>/test ?</c> on one pull request (Prow's <c>AvailablePresubmits</c>): what
/// <c>/test all</c> starts and which <c>/test</c> commands exist, required and optional apart;
/// each list sorted.
/// </summary>
public sealed record AvailableTests
{
    private const string RequiredHeading = "The following commands are available to trigger required jobs:";
    private const string OptionalHeading = "The following commands are available to trigger optional jobs:";

    /// <summary>The names of the jobs <c>/test all</c> would start.</summary>
    public ImmutableArray<string> TestAllNames { get; init; } = [];

    /// <summary>The rerun commands of the required jobs the branch allows.</summary>
    public ImmutableArray<string> RequiredCommands { get; init; } = [];

    /// <summary>The rerun commands of the optional jobs the branch allows.</summary>
    public ImmutableArray<string> OptionalCommands { get; init; } = [];

    /// <summary>Prow's help comment (<c>pjutil.HelpMessage</c>), word for word, headed by <paramref name="note"/>.</summary>
    public string HelpMessage(string orgRepo, string branch, string note = "")
    {
        if (TestAllNames.IsEmpty && RequiredCommands.IsEmpty && OptionalCommands.IsEmpty)
        {
            return $"No presubmit jobs available for {orgRepo}@{branch}";
        }

        var text = new StringBuilder(note);
        if (!RequiredCommands.IsEmpty)
        {
            text.Append(RequiredHeading).Append(List(RequiredCommands)).Append("\n\n");
        }

        if (!OptionalCommands.IsEmpty)
        {
            text.Append(OptionalHeading).Append(List(OptionalCommands)).Append("\n\n");
        }

        if (TestAllNames.Length == OptionalCommands.Length + RequiredCommands.Length)
        {
            text.Append("Use `/test all` to run all jobs.\n");
        }
        else if (!TestAllNames.IsEmpty)
        {
            text.Append("Use `/test all` to run the following jobs that were automatically triggered:").Append(List(TestAllNames)).Append("\n\n");
        }

        return text.ToString();
    }

    private static string List(IEnumerable<string> items) => string.Concat(items.Select(i => $"\n```\n{i}\n```"));
}
