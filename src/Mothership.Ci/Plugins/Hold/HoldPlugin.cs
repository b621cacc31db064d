using System.Text.RegularExpressions;
using Mothership.Ci.Forge;
using Mothership.Ci.Jobs;

namespace Mothership.Ci.Plugins.Hold;

/// <summary>
/// Prow's hold plugin: anyone may put <c>do-not-merge/hold</c> on a pull request with
/// <c>/hold</c> and take it off with <c>/hold cancel</c>, <c>/unhold</c> or <c>/remove-hold</c>;
/// the merge pool leaves a held pull request alone.
/// </summary>
public sealed class HoldPlugin(IForge forge) : IReviewPlugin
{
    /// <summary>The label (Prow's <c>labels.Hold</c>).</summary>
    public const string Label = "do-not-merge/hold";

    private static readonly Regex HoldCommand = GoRegex.Compile(@"(?mi)^/hold\s*$");
    private static readonly Regex CancelCommand = GoRegex.Compile(@"(?mi)^/(?:unhold|remove-hold|hold\s+cancel)\s*$");

    /// <inheritdoc />
    public string Name => "hold";

    /// <inheritdoc />
    public PluginHelp Help { get; } = new(
        "The hold plugin allows anyone to add or remove the 'do-not-merge/hold' Label from a pull request in order to temporarily prevent the PR from merging without withholding approval.",
        [new PluginCommand("/[un]hold [cancel]", "Adds or removes the `do-not-merge/hold` Label which is used to indicate that the PR should not be automatically merged.", "Anyone can use the /hold command to add or remove the 'do-not-merge/hold' Label.")]);

    /// <inheritdoc />
    public async Task<string?> HandleAsync(PluginEvent e, PluginsConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.NewComment is not { } comment || !e.IsPullRequest || e.Number is not { } number)
        {
            return null;
        }

        var cancel = CancelCommand.IsMatch(comment.Body);
        if (!cancel && !HoldCommand.IsMatch(comment.Body))
        {
            return null;
        }

        var has = e.Labels.Contains(Label);
        if (cancel)
        {
            // Asked even when the payload shows no hold: its labels may be older than the comment.
            return await forge.RemoveLabelAsync(e.Repository, number, Label, cancellationToken).ConfigureAwait(false)
                ? $"{Label} removed by {comment.User}" : "not held";
        }

        if (has)
        {
            return "already held";
        }

        await forge.AddLabelsAsync(e.Repository, number, [Label], cancellationToken).ConfigureAwait(false);
        return $"{Label} added by {comment.User}";
    }
}
