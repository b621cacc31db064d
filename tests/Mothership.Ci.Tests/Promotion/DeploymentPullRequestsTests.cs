using Mothership.Ci.Promotion;
using Mothership.Ci.Releases;

namespace Mothership.Ci.Tests.Promotion;

public sealed class DeploymentPullRequestsTests
{
    private const string A = "1111111111111111111111111111111111111111";
    private const string B = "2222222222222222222222222222222222222222";

    private static DeploymentRequest Request() => new()
    {
        Site = "stage-kr1",
        Environment = "stage",
        Region = "kr1",
        Number = 3,
        From = A,
        To = B,
        RepoLink = "https://github.com/alienware/cloud/",
        Label = "area/alienware/stage",
        Changes =
        [
            new ReleaseNote { PullRequest = 12, Author = "alice", Kinds = ["feature"], Markdown = "- Keystone runs 8 workers | kr1.\nFaster logins." },
            new ReleaseNote { PullRequest = 13, Author = "bob", Markdown = "NONE", DoNotPublish = true },
            new ReleaseNote { PullRequest = 14, Author = "carol", Kinds = ["api-change"], Markdown = "Glance's v1 API is gone.", ActionRequired = true },
        ],
        Plan = "site stage-kr1: 2 of 5 services change\nwave 0: keystone\n",
    };

    [Fact]
    public void Body_Deployment_CompareLinkChangesPlanLabelAndMark()
    {
        var body = DeploymentPullRequests.Body(Request());

        Assert.Equal(
            """
            Deploys **stage-kr1** (stage, region kr1) to `222222222222`, from `111111111111`.

            Changes: https://github.com/alienware/cloud/compare/1111111111111111111111111111111111111111...2222222222222222222222222222222222222222

            ### Merged pull requests

            | Pull request | Kind | Release note |
            |---|---|---|
            | #12 (@alice) | feature | Keystone runs 8 workers \| kr1. Faster logins. |
            | #13 (@bob) | — | — |
            | #14 (@carol) | api-change | Glance's v1 API is gone. **(action required)** |

            ### Plan

            ```text
            site stage-kr1: 2 of 5 services change
            wave 0: keystone
            ```

            Add the label `area/alienware/stage` to deploy; remove it or comment `/cancel` to stop a running deploy (services already deploying finish, nothing new starts). The pull request is merged when the deploy succeeds.

            <!-- mothership:deployment site=stage-kr1 from=1111111111111111111111111111111111111111 to=2222222222222222222222222222222222222222 -->

            """.ReplaceLineEndings("\n"),
            body);
        Assert.Equal("Deploy stage-kr1 #3", DeploymentPullRequests.Title(Request()));
    }

    [Fact]
    public void Body_FirstDeployAndRollback_SaySo()
    {
        var first = DeploymentPullRequests.Body(Request() with { From = null, Changes = [] });
        var rollback = DeploymentPullRequests.Body(Request() with { From = B, To = A, Rollback = true, Changes = [] });

        Assert.StartsWith("Deploys **stage-kr1** (stage, region kr1) to `222222222222` (its first deploy).\n\n### Merged", first, StringComparison.Ordinal);
        Assert.StartsWith("Rolls back **stage-kr1** (stage, region kr1) to `111111111111`, from `222222222222`.", rollback, StringComparison.Ordinal);
        Assert.Contains("None: a rollback brings no new change.", rollback, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadMark_OfItsOwnBody_SiteAndRevisions()
    {
        Assert.Equal(("stage-kr1", A, B), DeploymentPullRequests.ReadMark(DeploymentPullRequests.Body(Request())));
        Assert.Equal(("stage-kr1", null, B), DeploymentPullRequests.ReadMark(DeploymentPullRequests.Body(Request() with { From = null })));
        Assert.Null(DeploymentPullRequests.ReadMark("Fixes a bug.\n<!-- mothership:deployment site=Bad_Site from=- to=x -->"));
        Assert.Null(DeploymentPullRequests.ReadMark(null));
    }

    [Fact]
    public void PinFile_ReadBack_TheRevision()
    {
        Assert.Equal(B, DeploymentPullRequests.ReadPin(DeploymentPullRequests.PinFile("stage-kr1", B)));
        Assert.Equal("v1.2.0", DeploymentPullRequests.ReadPin("revision: \"v1.2.0\"\n"));
        Assert.Null(DeploymentPullRequests.ReadPin("revision: $(rm -rf /)\n"));
        Assert.Null(DeploymentPullRequests.ReadPin("kind: Site\n"));
        Assert.Equal("sites/stage-kr1/deployed.yaml", DeploymentPullRequests.PinPath("stage-kr1"));
    }

    [Fact]
    public void RolloutBody_GatesApprovedWaitingAndAhead_EachSaidSoWithTheSitesAndTheMark()
    {
        var body = DeploymentPullRequests.RolloutBody(new RolloutRequest
        {
            Rollout = "prod-2222222-abcde", Environment = "prod", To = "2222222222222222222222222222222222222222", Actor = "promotion",
            Status = "Running", Reason = "wave-1 waits | for approval", Link = "https://mothership.example/ui/rollouts/prod-2222222-abcde",
            Waves =
            [
                new RolloutRequestWave("canary", ["prod-a"], "before-canary", ["sre"], "github:carol", false),
                new RolloutRequestWave("wave-1", [.. Enumerable.Range(1, 52).Select(i => $"prod-{i}")], "before-wave-1", ["sre", "leads"], null, true),
                new RolloutRequestWave("wave-2", ["prod-z"], "before-wave-2", ["sre"], null, false),
            ],
        });

        Assert.StartsWith("Rolls out **prod** to `222222222222` wave by wave: rollout `prod-2222222-abcde` (https://mothership.example/ui/rollouts/prod-2222222-abcde), started by promotion.", body, StringComparison.Ordinal);
        Assert.Contains("Status: **Running**: wave-1 waits \\| for approval", body, StringComparison.Ordinal);
        Assert.Contains("| canary | 1: prod-a | `before-canary`: approved by github:carol |", body, StringComparison.Ordinal);
        Assert.Contains("`before-wave-1`: **waits for approval** by one of: sre, leads |", body, StringComparison.Ordinal);
        Assert.Contains("| wave-1 | 52: prod-1, ", body, StringComparison.Ordinal);
        Assert.Contains("prod-50 and 2 more |", body, StringComparison.Ordinal);
        Assert.Contains("| wave-2 | 1: prod-z | `before-wave-2`: approval by one of: sre |", body, StringComparison.Ordinal);
        Assert.Contains("Comment `/approve-rollout`", body, StringComparison.Ordinal);
        Assert.Equal(("prod-2222222-abcde", "prod", "2222222222222222222222222222222222222222"), DeploymentPullRequests.ReadRolloutMark(body));
        Assert.Null(DeploymentPullRequests.ReadMark(body));
    }

    [Fact]
    public void EnvironmentOfRolloutBranch_OnlyRolloutBranches()
    {
        Assert.Equal("prod", DeploymentPullRequests.EnvironmentOfRolloutBranch(DeploymentPullRequests.RolloutBranch("prod")));
        Assert.Null(DeploymentPullRequests.EnvironmentOfRolloutBranch("mothership/rollout/"));
        Assert.Null(DeploymentPullRequests.EnvironmentOfRolloutBranch(DeploymentPullRequests.Branch("prod-a")));
        Assert.Null(DeploymentPullRequests.SiteOfBranch(DeploymentPullRequests.RolloutBranch("prod")));
    }

    [Fact]
    public void SiteOfBranch_OnlyDeploymentBranches()
    {
        Assert.Equal("prod-us1", DeploymentPullRequests.SiteOfBranch(DeploymentPullRequests.Branch("prod-us1")));
        Assert.Null(DeploymentPullRequests.SiteOfBranch("feature/x"));
        Assert.Null(DeploymentPullRequests.SiteOfBranch("mothership/deploy/"));
    }
}
