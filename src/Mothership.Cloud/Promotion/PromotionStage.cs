using Mothership.Cloud.Rollouts;
using Mothership.Model.Tekton;

namespace Mothership.Cloud.Promotion;

/// <summary>One environment of a promotion chain and the pull-request label that starts its deploys.</summary>
public sealed record PromotionStage : Located
{
    /// <summary><c>dev</c>, <c>stage</c> or <c>prod</c>.</summary>
    public required string Environment { get; init; }

    /// <summary>The label that starts the deploy of a deployment pull request of this environment's sites (default <c>area/&lt;cloud&gt;/&lt;environment&gt;</c>).</summary>
    public required string Label { get; init; }

    /// <summary>How a revision reaches this environment's sites (<c>rollout</c>); null: the environment declares no rollout.</summary>
    public RolloutPolicy? Rollout { get; init; }
}
