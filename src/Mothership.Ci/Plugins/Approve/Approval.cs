namespace Mothership.Ci.Plugins.Approve;

/// <summary>Someone's approval of a pull request (Prow's <c>approvers.Approval</c>).</summary>
/// <param name="Login">Their login as they spell it.</param>
/// <param name="How">How: <c>Approved</c>, <c>LGTM</c> or <c>Author self-approved</c>.</param>
/// <param name="Reference">The page of the comment or review that approved.</param>
/// <param name="NoIssue">Whether it also waives the associated issue (<c>/approve no-issue</c>).</param>
public sealed record Approval(string Login, string How, string Reference, bool NoIssue)
{
    /// <summary>Prow's link to the approval, as the notifier lists it.</summary>
    public override string ToString() => $"*<a href=\"{Reference}\" title=\"{How}\">{Login}</a>*";
}
