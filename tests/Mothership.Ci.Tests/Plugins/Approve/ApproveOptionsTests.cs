using Mothership.Ci.Plugins;
using Mothership.Ci.Plugins.Approve;
using Mothership.Model.Diagnostics;

namespace Mothership.Ci.Tests.Plugins.Approve;

/// <summary>plugins.yaml's approve and owners sections, read as Prow reads them.</summary>
public sealed class ApproveOptionsTests
{
    [Fact]
    public void ApproveFor_RepoAndOrgEntries_RepoFirstThenOrgThenDefaults()
    {
        var bag = new DiagnosticBag();
        var config = PluginsConfig.Parse("plugins.yaml", """
            approve:
            - repos: [octo]
              require_self_approval: true
              lgtm_acts_as_approve: true
            - repos: [octo/hello, other/x]
              issue_required: true
              ignore_review_state: true
              commandHelpLink: https://prow.example/command-help
              pr_process_link: https://example/process
            owners:
              skip_collaborators: [octo]
              mdyamlrepos: [octo/docs]
              labels_denylist: [approved]
              filenames:
                octo/hello: {owners: OWNERS, owners_aliases: OWNERS_ALIASES}
            """, bag);

        Assert.Empty(bag.Sorted());
        var hello = config.ApproveFor("octo/hello");
        Assert.True(hello.IssueRequired);
        Assert.False(hello.ConsiderReviewState);
        Assert.True(hello.HasSelfApproval);
        Assert.Equal("https://prow.example/command-help", hello.CommandHelpLink);
        Assert.Equal("https://example/process", hello.PrProcessLink);
        var org = config.ApproveFor("octo/other");
        Assert.False(org.HasSelfApproval);
        Assert.True(org.LgtmActsAsApprove);
        Assert.Equal(ApproveOptions.DefaultCommandHelpLink, org.CommandHelpLink);
        Assert.Same(ApproveOptions.Default, config.ApproveFor("nobody/x"));
        Assert.True(ApproveOptions.Default.HasSelfApproval);
        Assert.True(ApproveOptions.Default.ConsiderReviewState);
        Assert.Equal(ApproveOptions.DefaultPrProcessLink, ApproveOptions.Default.PrProcessLink);
    }

    [Fact]
    public void Parse_BadApproveEntry_ErrorsAtTheirPositions()
    {
        var bag = new DiagnosticBag();
        PluginsConfig.Parse("plugins.yaml", """
            approve:
            - require_self_approval: maybe
              issue_requird: true
            owners:
              skip_colaborators: [x]
            """, bag);

        var errors = bag.Sorted();
        Assert.All(errors, e => Assert.Equal(Severity.Error, e.Severity));
        Assert.Equal([(2, "an approve entry needs repos"), (2, "field 'approve[0].require_self_approval' must be true or false"), (3, "unknown field 'approve[0].issue_requird'"), (5, "unknown field 'owners.skip_colaborators'")],
            errors.Select(e => (e.Location.Line, e.Message.Split(':')[0].Split(',')[0])).ToList());
    }
}
