using System.Collections.Immutable;

namespace Mothership.Ci.Plugins.Approve;

/// <summary>An entry of <c>plugins.yaml</c>'s <c>approve</c> list (Prow's <c>plugins.Approve</c>), each default as Prow's.</summary>
public sealed record ApproveOptions
{
    /// <summary>Prow's default <c>commandHelpLink</c>.</summary>
    public const string DefaultCommandHelpLink = "https://go.k8s.io/bot-commands";

    /// <summary>Prow's default <c>pr_process_link</c>.</summary>
    public const string DefaultPrProcessLink = "https://git.k8s.io/community/contributors/guide/owners.md#the-code-review-process";

    /// <summary>No entry: Prow's defaults.</summary>
    public static ApproveOptions Default { get; } = new();

    /// <summary><c>repos</c>: the organisations and <c>org/repo</c> it applies to.</summary>
    public ImmutableArray<string> Repos { get; init; } = [];

    /// <summary><c>issue_required</c>: a pull request needs an associated issue (or <c>/approve no-issue</c>). Default false.</summary>
    public bool IssueRequired { get; init; }

    /// <summary><c>require_self_approval</c>: the author does not approve implicitly. Default false.</summary>
    public bool RequireSelfApproval { get; init; }

    /// <summary><c>lgtm_acts_as_approve</c>: <c>/lgtm</c> approves as <c>/approve</c> does. Default false.</summary>
    public bool LgtmActsAsApprove { get; init; }

    /// <summary><c>ignore_review_state</c>: GitHub's approving and changes-requested reviews neither approve nor cancel. Default false.</summary>
    public bool IgnoreReviewState { get; init; }

    /// <summary><c>commandHelpLink</c>: the bot's command list. Default <see cref="DefaultCommandHelpLink"/>.</summary>
    public string CommandHelpLink { get; init; } = DefaultCommandHelpLink;

    /// <summary><c>pr_process_link</c>: the code review process. Default <see cref="DefaultPrProcessLink"/>.</summary>
    public string PrProcessLink { get; init; } = DefaultPrProcessLink;

    /// <summary>Whether the author approves implicitly (Prow's <c>HasSelfApproval</c>).</summary>
    public bool HasSelfApproval => !RequireSelfApproval;

    /// <summary>Whether reviews' states count (Prow's <c>ConsiderReviewState</c>).</summary>
    public bool ConsiderReviewState => !IgnoreReviewState;
}
