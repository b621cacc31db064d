using System.Collections.Immutable;

namespace Mothership.Cloud.Rollouts;

/// <summary>
/// What the driver does after a <see cref="RolloutDecider.Next"/> step. Starts, halts and
/// completion appear once, in the step that decided them; waits appear in every step they hold.
/// </summary>
public abstract record RolloutAction
{
    /// <summary>Start deploy <paramref name="Attempt"/> of <paramref name="Site"/>.</summary>
    public sealed record StartDeploy(string Site, int Attempt, string Wave) : RolloutAction;

    /// <summary>Run the bake check <paramref name="Pipeline"/> against <paramref name="Site"/> (deployed by <paramref name="Attempt"/>).</summary>
    public sealed record StartBakeCheck(string Site, int Attempt, string Pipeline) : RolloutAction;

    /// <summary>The next sites wait for the change windows; they open at <paramref name="Until"/> (null: not within <see cref="ChangeWindows.Horizon"/>).</summary>
    public sealed record WaitForWindow(string Wave, DateTimeOffset? Until) : RolloutAction;

    /// <summary>Wave <paramref name="Wave"/> waits for someone holding one of <paramref name="Roles"/> to approve <paramref name="Gate"/>.</summary>
    public sealed record WaitForApproval(string Wave, string Gate, ImmutableArray<string> Roles) : RolloutAction;

    /// <summary>The rollout halted.</summary>
    public sealed record Halt(string Reason, string Message) : RolloutAction;

    /// <summary>The rollout is over (<see cref="RolloutStatus.Succeeded"/>, <see cref="RolloutStatus.SucceededWithFailures"/> or <see cref="RolloutStatus.Aborted"/>) and nothing runs.</summary>
    public sealed record Complete(RolloutStatus Status) : RolloutAction;
}
