namespace Mothership.Cloud.Rollouts;

/// <summary>
/// The rollout's decisions as a pure function: from a plan, the stored state, the time and the
/// events since the last step, the next state, the actions to take and every transition with
/// its reason. It reads no clock and does no I/O, so the durable driver can persist its result,
/// replay events after a crash, and tests and the simulation benchmark can run it in made-up time.
/// <list type="bullet">
/// <item>A wave starts once every site of the waves before it finished (deployed and baked, or
/// failed within the budget) and its gate is approved. No deploy starts while the change windows
/// are closed (deploys under way finish); the sites wait for the next opening.</item>
/// <item>Never more than <see cref="RolloutPolicy.MaxParallelSites"/> sites deploy at once.</item>
/// <item>A canary's failure, a failed bake check, or deploy failures beyond the budget halt the
/// rollout: sites not started become <see cref="SiteRolloutState.Halted"/>. Retrying the
/// failures lifts the halt.</item>
/// <item>A site starts only from a waiting state and moves to deploying in the same step, and
/// every event names the attempt it reports, so an event fed twice changes nothing.</item>
/// </list>
/// </summary>
public static class RolloutDecider
{
    /// <summary>One step: applies <paramref name="events"/> in order at their times, then decides at <paramref name="now"/>.</summary>
    public static RolloutDecision Next(RolloutPlan plan, RolloutState state, DateTimeOffset now, IReadOnlyList<RolloutEvent> events)
    {
        var step = new RolloutStep(plan, state, now);
        foreach (var e in events)
        {
            step.Apply(e);
        }

        step.Decide();
        return step.Result();
    }
}
