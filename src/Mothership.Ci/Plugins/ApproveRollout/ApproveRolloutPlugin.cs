using System.Text.RegularExpressions;
using Mothership.Ci.Forge;
using Mothership.Ci.Jobs;
using Mothership.Ci.Promotion;

namespace Mothership.Ci.Plugins.ApproveRollout;

/// <summary>
/// <c>/approve-rollout [GATE]</c> on a rollout's pull request (<c>mothership/rollout/&lt;environment&gt;</c>):
/// approves the gate that waits, or the one named (<c>wave-1</c> or <c>before-wave-1</c>), of the
/// rollout the pull request's body names, for the comment's author as <c>github:LOGIN</c>. Whether
/// that opens the gate is the server's answer (<see cref="IRolloutApprovals"/>); the plugin replies
/// with it either way.
/// </summary>
public sealed class ApproveRolloutPlugin(IForge forge, IRolloutApprovals approvals) : IReviewPlugin
{
    private static readonly Regex Command = GoRegex.Compile(@"(?mi)^/approve-rollout(?:[ \t]+(\S+))?[ \t]*$");
    private static readonly Regex GateName = GoRegex.Compile(@"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$");

    /// <inheritdoc />
    public string Name => "approve-rollout";

    /// <inheritdoc />
    public PluginHelp Help { get; } = new(
        "The approve-rollout plugin opens a rollout's approval gate from the rollout's pull request.",
        [
            new PluginCommand("/approve-rollout [GATE]", "Approves the gate the rollout waits at (or GATE: a wave such as wave-1, or its gate before-wave-1), so its wave starts.",
                "Holders of one of the gate's roles who may approve the environment's rollouts, per the access policy (github:LOGIN), on a rollout pull request."),
        ]);

    /// <inheritdoc />
    public async Task<string?> HandleAsync(PluginEvent e, PluginsConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (!e.IsPullRequest || e.Number is not { } number || e.Closed || e.NewComment is not { } comment
            || Command.Match(comment.Body) is not { Success: true } command)
        {
            return null;
        }

        if (await forge.GetPullRequestAsync(e.Repository, number, cancellationToken).ConfigureAwait(false) is not { } pr
            || DeploymentPullRequests.EnvironmentOfRolloutBranch(pr.HeadRef) is not { } environment)
        {
            return null;
        }

        if (DeploymentPullRequests.ReadRolloutMark(pr.Body) is not { } mark || mark.Environment != environment)
        {
            await ReplyAsync(e, "this pull request names no rollout of environment " + environment + ": nothing was approved.", cancellationToken).ConfigureAwait(false);
            return "/approve-rollout: the pull request names no rollout";
        }

        var gate = command.Groups[1].Success ? command.Groups[1].Value : null;
        if (gate is not null && !GateName.IsMatch(gate))
        {
            await ReplyAsync(e, "`/approve-rollout` takes nothing (the gate that waits) or a gate: a wave such as `wave-1`, or its gate `before-wave-1`.", cancellationToken).ConfigureAwait(false);
            return "/approve-rollout: not a gate";
        }

        var answer = await approvals.ApproveAsync(comment.User, environment, mark.Rollout, gate, cancellationToken).ConfigureAwait(false);
        await ReplyAsync(e, answer.Message, cancellationToken).ConfigureAwait(false);
        return answer.Approved
            ? $"{comment.User} approved {gate ?? "the waiting gate"} of {mark.Rollout}"
            : $"/approve-rollout by {comment.User} refused: {answer.Message}";
    }

    private Task<bool> ReplyAsync(PluginEvent e, string message, CancellationToken cancellationToken) =>
        PluginReplies.ReplyAsync(forge, e, Name, message, cancellationToken);
}
