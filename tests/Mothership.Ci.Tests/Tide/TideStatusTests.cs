using System.Collections.Immutable;
using Mothership.Ci.Forge;
using Mothership.Ci.Tide;

namespace Mothership.Ci.Tests.Tide;

public sealed class TideStatusTests
{
    private static readonly PullRequest Pr = new(7, "Fix", "alice", PullRequestState.Open, false, false, true, "head", "fix", "main", "base");

    [Fact]
    public void RequirementDiff_LabelAlternatives_WrittenWithOr()
    {
        var query = new TideQuery { Repos = ["o/r"], Labels = ["lgtm", "approved,approved-by-bot"] };

        var (reason, weight) = TideStatus.RequirementDiff(query, Pr with { Labels = ["lgtm"] }, [], reviewApproved: true);

        Assert.Equal((" Needs approved or approved-by-bot label.", 1), (reason, weight));
    }

    [Fact]
    public void RequirementDiff_WrongBranchAndLabels_BranchSaidFirstAndWeighsMost()
    {
        var query = new TideQuery { Repos = ["o/r"], Labels = ["lgtm"], ExcludedBranches = ["main"] };

        var (reason, weight) = TideStatus.RequirementDiff(query, Pr, [], reviewApproved: true);

        Assert.Equal((" Merging to branch main is forbidden.", 2001), (reason, weight));
    }

    [Fact]
    public void RequirementDiff_ManyLabels_KeepsAboutFiftyCharacters()
    {
        var query = new TideQuery { Repos = ["o/r"], Labels = ["cncf-cla: yes", "lgtm", "approved", "release-note-label-present", "kind/feature"] };

        var (reason, _) = TideStatus.RequirementDiff(query, Pr, [], reviewApproved: true);

        Assert.Equal(" Needs approved, cncf-cla: yes, kind/feature, lgtm labels.", reason);
    }

    [Fact]
    public void RequirementDiff_ReviewMissing_ProwsText()
    {
        var query = new TideQuery { Repos = ["o/r"], ReviewApprovedRequired = true };

        Assert.Equal(" PullRequest is missing sufficient approving GitHub review(s)", TideStatus.RequirementDiff(query, Pr, [], reviewApproved: false).Reason);
    }

    [Fact]
    public void Retesting_FewJobs_NamesThemSorted()
    {
        Assert.Equal(new TideStatus(CommitState.Pending, "Not mergeable. Retesting: pull-lint pull-unit"), TideStatus.Retesting(["pull-unit", "pull-lint"]));
    }

    [Fact]
    public void Retesting_TooLongForGitHub_CountsThem()
    {
        var jobs = Enumerable.Range(1, 12).Select(i => $"pull-kubernetes-e2e-{i:00}").ToImmutableArray();

        Assert.Equal("Not mergeable. Retesting 12 jobs.", TideStatus.Retesting(jobs).Description);
    }

    [Fact]
    public void UnsuccessfulReason_OneOrSeveral_ProwsGrammar()
    {
        Assert.Equal((" Job unit has not succeeded.", " Jobs lint, unit have not succeeded."),
            (TideStatus.UnsuccessfulReason(["unit"]), TideStatus.UnsuccessfulReason(["unit", "lint"])));
    }
}
