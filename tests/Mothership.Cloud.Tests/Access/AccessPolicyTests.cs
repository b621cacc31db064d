using System.Security.Claims;
using Mothership.Cloud.Access;
using Mothership.Model.Diagnostics;

namespace Mothership.Cloud.Tests.Access;

/// <summary>
/// Decisions over roles × resources × actions × objects: transitive roles (and cycles among them),
/// built-in roles, the default role, globs, deny wins, and the line that decided.
/// </summary>
public sealed class AccessPolicyTests
{
    private const string Policy = """
        p, role:dev-deployer, deploys, *, dev/*, allow
        p, role:dev-deployer, runs, create, *, allow
        p, role:stage-deployer, deploys, create, stage/*, allow
        p, role:stage-deployer, deploys, cancel, stage/*, allow
        p, role:prod-approver, deploys, approve, prod/*, allow
        p, role:prod-approver, rollouts, approve, prod/*, allow
        p, role:no-kr1, *, *, */*-kr1, deny
        p, role:no-settings, settings, *, *, deny
        p, mallory, *, *, *, deny
        g, role:stage-deployer, role:dev-deployer
        g, alice, role:stage-deployer
        g, my-org:release, role:prod-approver
        g, dave, role:readonly
        g, erin, role:admin
        g, erin, role:no-settings
        g, frank, role:stage-deployer
        g, frank, role:no-kr1
        g, role:loop-a, role:loop-b
        g, role:loop-b, role:loop-a
        g, role:loop-b, role:dev-deployer
        g, gina, role:loop-a
        g, mallory, role:admin
        """;

    private const int NoRule = -1;
    private const int BuiltIn = 0;

    private static AccessPolicy Create(string? defaultRole = null, string text = Policy)
    {
        var bag = new DiagnosticBag();
        var file = PolicyCsvParser.Parse("policy.csv", text, bag);
        Assert.Empty(bag.Items);
        return AccessPolicy.Create([file], defaultRole);
    }

    private static AccessSubject Subject(string user, string groups) =>
        new(user, [.. groups.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);

    /// <summary>user, groups (space-separated), resource, action, object, allowed, the deciding line (0 built-in, -1 none).</summary>
    [Theory]
    [InlineData("alice", "", "deploys", "create", "stage/stage-kr1", true, 3)]
    [InlineData("alice", "", "deploys", "create", "prod/prod-kr1", false, NoRule)]
    [InlineData("alice", "", "deploys", "delete", "dev/dev-kr1", true, 1)]
    [InlineData("alice", "", "runs", "create", "-/nightly-x7k2p", true, 2)]
    [InlineData("alice", "", "runs", "get", "-/nightly-x7k2p", false, NoRule)]
    [InlineData("bob", "my-org:release", "deploys", "approve", "prod/prod-us1", true, 5)]
    [InlineData("bob", "my-org:release", "rollouts", "approve", "prod/prod-kr1", true, 6)]
    [InlineData("bob", "my-org:release", "deploys", "create", "prod/prod-us1", false, NoRule)]
    [InlineData("bob", "", "deploys", "approve", "prod/prod-us1", false, NoRule)]
    [InlineData("", "my-org:release", "deploys", "approve", "prod/prod-us1", true, 5)]
    [InlineData("dave", "", "sites", "get", "prod/prod-kr1", true, BuiltIn)]
    [InlineData("dave", "", "settings", "get", "-/settings", true, BuiltIn)]
    [InlineData("dave", "", "sites", "create", "prod/prod-kr1", false, NoRule)]
    [InlineData("erin", "", "deploys", "delete", "prod/prod-kr1", true, BuiltIn)]
    [InlineData("erin", "", "settings", "get", "-/settings", false, 8)]
    [InlineData("frank", "", "deploys", "create", "stage/stage-kr1", false, 7)]
    [InlineData("frank", "", "deploys", "create", "stage/stage-us1", true, 3)]
    [InlineData("frank", "", "deploys", "get", "dev/dev-kr1", false, 7)]
    [InlineData("gina", "", "deploys", "create", "dev/dev-kr1", true, 1)]
    [InlineData("gina", "", "deploys", "create", "stage/stage-kr1", false, NoRule)]
    [InlineData("mallory", "", "runs", "get", "-/anything", false, 9)]
    [InlineData("zed", "", "runs", "get", "-/anything", false, NoRule)]
    [InlineData("role:admin", "", "runs", "delete", "-/anything", false, NoRule)]
    [InlineData("zed", "role:admin", "runs", "delete", "-/anything", false, NoRule)]
    public void Decide_Table_AllowsOrDeniesByTheRightLine(string user, string groups, string resource, string action, string obj, bool allowed, int line)
    {
        var decision = Create().Decide(Subject(user, groups), resource, action, obj);

        Assert.Equal(allowed, decision.Allowed);
        Assert.Equal(line, decision.Rule?.Origin.Line ?? NoRule);
        Assert.False(decision.ByDefaultRole);
    }

    [Theory]
    [InlineData("role:readonly", "zed", "sites", "get", "prod/prod-kr1", true, BuiltIn, true)]
    [InlineData("role:readonly", "zed", "sites", "create", "prod/prod-kr1", false, NoRule, false)]
    [InlineData("role:readonly", "dave", "sites", "get", "prod/prod-kr1", true, BuiltIn, false)]
    [InlineData("role:readonly", "erin", "settings", "get", "-/settings", false, 8, false)]
    [InlineData("role:readonly", "frank", "sites", "get", "stage/stage-kr1", false, 7, false)]
    [InlineData("role:readonly", "mallory", "sites", "get", "stage/stage-kr1", false, 9, false)]
    [InlineData("role:dev-deployer", "zed", "deploys", "create", "dev/dev-kr1", true, 1, true)]
    [InlineData("role:dev-deployer", "alice", "deploys", "create", "dev/dev-kr1", true, 1, false)]
    [InlineData("role:no-settings", "erin", "settings", "get", "-/settings", false, 8, false)]
    [InlineData("role:no-settings", "dave", "settings", "get", "-/settings", false, 8, true)]
    [InlineData("", "zed", "sites", "get", "prod/prod-kr1", false, NoRule, false)]
    public void Decide_WithADefaultRole_EverySubjectHasItAndDenyStillWins(string defaultRole, string user, string resource, string action, string obj, bool allowed, int line, bool byDefault)
    {
        var decision = Create(defaultRole).Decide(AccessSubject.User(user), resource, action, obj);

        Assert.Equal((allowed, line, byDefault), (decision.Allowed, decision.Rule?.Origin.Line ?? NoRule, decision.ByDefaultRole));
    }

    [Theory]
    [InlineData("readonly")]
    [InlineData("role:")]
    [InlineData("role:a b")]
    public void Create_DefaultRoleNotARoleName_Throws(string defaultRole) =>
        Assert.Throws<ArgumentException>(() => Create(defaultRole));

    [Fact]
    public void Decide_EveryResourceActionAndObject_AdminAllowsAllReadonlyOnlyGetStrangerNothing()
    {
        var policy = Create();
        foreach (var resource in AccessResources.All)
        {
            foreach (var action in AccessActions.All)
            {
                foreach (var obj in new[] { "prod/prod-kr1", "dev/dev-kr1", "-/settings" })
                {
                    var erinAllowed = policy.Decide(AccessSubject.User("erin"), resource, action, obj).Allowed;
                    Assert.True(erinAllowed == (resource != AccessResources.Settings), $"erin {action} {resource} {obj}");
                    Assert.True(policy.Decide(AccessSubject.User("dave"), resource, action, obj).Allowed == (action == AccessActions.Get), $"dave {action} {resource} {obj}");
                    Assert.False(policy.Decide(AccessSubject.User("zed"), resource, action, obj).Allowed, $"zed {action} {resource} {obj}");
                }
            }
        }
    }

    [Fact]
    public void Decide_RulesFromSeveralSources_NameTheFileTheyCameFrom()
    {
        var bag = new DiagnosticBag();
        var server = PolicyCsvParser.Parse("/etc/mothership/policy.csv", "g, alice, role:stage-deployer\np, alice, deploys, create, prod/*, deny\n", bag);
        var site = PolicyCsvParser.Parse("policy.csv@abc123", "# the site repository's\np, role:stage-deployer, deploys, create, *, allow\n", bag);
        Assert.Empty(bag.Items);
        var policy = AccessPolicy.Create([server, site]);

        var allowed = policy.Decide(AccessSubject.User("alice"), "deploys", "create", "stage/stage-kr1");
        var denied = policy.Decide(AccessSubject.User("alice"), "deploys", "create", "prod/prod-kr1");

        Assert.Equal("policy.csv@abc123:2: p, role:stage-deployer, deploys, create, *, allow", allowed.Reason);
        Assert.True(allowed.Allowed);
        Assert.Equal("/etc/mothership/policy.csv:2: p, alice, deploys, create, prod/*, deny", denied.Reason);
        Assert.False(denied.Allowed);
    }

    [Fact]
    public void Reason_BuiltInDefaultAndNoMatch_SayWhatDecided()
    {
        var policy = Create("role:readonly");

        Assert.Equal("<built-in>: p, role:readonly, *, get, *, allow (through the default role)", policy.Decide(AccessSubject.User("zed"), "runs", "get", "-/x").Reason);
        Assert.Equal("<built-in>: p, role:admin, *, *, *, allow", policy.Decide(AccessSubject.User("erin"), "runs", "delete", "-/x").Reason);
        Assert.Equal("no rule matched (denied)", policy.Decide(AccessSubject.User("zed"), "runs", "delete", "-/x").Reason);
    }

    [Theory]
    [InlineData("alice", "", "", "role:dev-deployer role:stage-deployer")]
    [InlineData("gina", "", "", "role:dev-deployer role:loop-a role:loop-b")]
    [InlineData("zed", "my-org:release", "role:readonly", "role:prod-approver role:readonly")]
    [InlineData("zed", "role:admin", "", "")]
    public void RolesOf_Subject_FollowsBindingsTransitivelyThroughCycles(string user, string groups, string defaultRole, string expected) =>
        Assert.Equal(expected, string.Join(' ', Create(defaultRole).RolesOf(Subject(user, groups))));

    [Fact]
    public void FromPrincipal_NameAndGroupsClaims_BecomeTheSubject()
    {
        var principal = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, "alice"), new Claim("groups", "my-org:release"), new Claim("groups", "my-org:dev"), new Claim("groups", "my-org:dev")],
            "oidc"));

        var subject = AccessSubject.FromPrincipal(principal);

        Assert.Equal("alice", subject.Name);
        Assert.Equal(["my-org:release", "my-org:dev"], subject.Groups);
        Assert.True(Create().Decide(subject, "deploys", "approve", "prod/prod-kr1").Allowed);
    }
}
