using Mothership.Ci.Forge;
using Mothership.Ci.Tests.Jobs;
using Mothership.Ci.Tide;

namespace Mothership.Ci.Tests.Tide;

public sealed class TideConfigReaderTests
{
    [Fact]
    public void Read_ProwsTideSection_EverySettingKept()
    {
        var tide = ProwYaml.Load("""
            tide:
              sync_period: 2m
              queries:
              - repos: [kubernetes/test-infra]
                orgs: [kubernetes-sigs]
                excludedRepos: [kubernetes-sigs/kind]
                author: k8s-ci-robot
                labels: [lgtm, approved, "cncf-cla: yes"]
                missingLabels: [do-not-merge/hold, needs-rebase]
                excludedBranches: [gh-pages]
                reviewApprovedRequired: true
              merge_method:
                kubernetes: squash
                kubernetes/test-infra: rebase
                kubernetes-sigs:
                  kind: merge
                  cluster-api:
                    release-.*: squash
                openshift/origin@main: rebase
              squash_label: tide/merge-method-squash
              rebase_label: tide/merge-method-rebase
              merge_label: tide/merge-method-merge
              batch_size_limit:
                "*": 5
                kubernetes/kubernetes: -1
                kubernetes-sigs: 0
              target_url: https://prow.example.com/tide
              blocker_label: tide/merge-blocker
              context_options:
                from-branch-protection: true
                skip-unknown-contexts: false
                required-contexts: [cla/linuxfoundation]
                orgs:
                  kubernetes:
                    optional-contexts: [codecov]
                    repos:
                      test-infra:
                        skip-unknown-contexts: true
                        branches:
                          main:
                            required-contexts: [netlify]
            """).Tide;

        Assert.Equal(TimeSpan.FromMinutes(2), tide.SyncPeriod);
        var query = Assert.Single(tide.Queries);
        Assert.Equal(["lgtm", "approved", "cncf-cla: yes"], query.Labels);
        Assert.True(query.ReviewApprovedRequired);
        Assert.True(query.CoversRepo("kubernetes-sigs/cluster-api"));
        Assert.False(query.CoversRepo("kubernetes-sigs/kind"));
        Assert.False(query.AllowsBranch("gh-pages"));
        Assert.Equal(MergeMethod.Rebase, tide.MergeMethodFor("kubernetes", "test-infra", "main", []));
        Assert.Equal(MergeMethod.Squash, tide.MergeMethodFor("kubernetes", "kubernetes", "main", []));
        Assert.Equal(MergeMethod.Merge, tide.MergeMethodFor("kubernetes-sigs", "kind", "main", []));
        Assert.Equal(MergeMethod.Squash, tide.MergeMethodFor("kubernetes-sigs", "cluster-api", "release-1.8", []));
        Assert.Equal(MergeMethod.Merge, tide.MergeMethodFor("kubernetes-sigs", "cluster-api", "main", []));
        Assert.Equal(MergeMethod.Rebase, tide.MergeMethodFor("openshift", "origin", "main", []));
        Assert.Equal(MergeMethod.Squash, tide.MergeMethodFor("kubernetes", "test-infra", "main", ["tide/merge-method-squash"]));
        Assert.Null(tide.MergeMethodFor("kubernetes", "test-infra", "main", ["tide/merge-method-squash", "tide/merge-method-merge"]));
        Assert.Equal((5, -1, 0), (tide.BatchSizeLimitFor("other", "repo"), tide.BatchSizeLimitFor("kubernetes", "kubernetes"), tide.BatchSizeLimitFor("kubernetes-sigs", "kind")));
        var policy = tide.ContextPolicyFor("kubernetes", "test-infra", "main");
        Assert.Equal(["cla/linuxfoundation", "netlify"], policy.RequiredContexts);
        Assert.Equal(["codecov"], policy.OptionalContexts);
        Assert.True(policy.SkipUnknownContexts);
        Assert.False(tide.ContextPolicyFor("kubernetes", "kubernetes", "main").SkipUnknownContexts);
        Assert.Equal("https://prow.example.com/tide", tide.TargetUrl);
    }

    [Fact]
    public void Read_NoTideSection_PoolOff()
    {
        var config = ProwYaml.Load("presubmits: {}");

        Assert.False(config.Tide.Enabled);
        Assert.Same(TideConfig.Empty, config.Tide);
    }

    [Fact]
    public void Read_Mistakes_ReportedAtTheirPlace()
    {
        var problems = ProwYaml.Problems("""
            tide:
              sync_period: soon
              queries:
              - labels: [lgtm]
                missingLabels: [lgtm]
              - repos: [just-a-name]
                includedBranches: [main]
                excludedBranches: [dev]
                lables: [typo]
              merge_method:
                org/repo: fast-forward
              batch_size_limit:
                org/repo: -2
              context_options:
                required-contexts: ci
            """);

        Assert.Equal(
        [
            "config.yaml:2:3: error: sync_period 'soon' is not a duration longer than zero: write a Go duration such as 30s, 1m or 1m30s",
            "config.yaml:4:5: error: a tide query needs repos or orgs: the pull requests of which repositories may merge",
            "config.yaml:5:5: error: label 'lgtm' is both required and forbidden in this tide query",
            "config.yaml:6:5: error: 'just-a-name' in a tide query is not a repository: write org/repo",
            "config.yaml:8:5: error: a tide query may have includedBranches or excludedBranches, not both",
            "config.yaml:9:5: error: unknown field 'tide.queries[1].lables'",
            "config.yaml:11:5: error: merge_method 'fast-forward' for 'org/repo' is not merge, squash or rebase",
            "config.yaml:13:5: error: batch_size_limit for 'org/repo' is -2: write a positive size, 0 for no limit or -1 for no batches",
            "config.yaml:15:24: error: field 'tide.context_options.required-contexts' must be a list of strings, not a scalar",
        ],
            problems);
    }
}
