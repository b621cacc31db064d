using System.Collections.Immutable;
using Mothership.Cloud.Rollouts;
using static Mothership.Cloud.Rollouts.RolloutEvent;

namespace Mothership.Cloud.Tests.Rollouts;

public sealed class RolloutDeciderTests
{
    // Saturday 2026-12-05 12:00 UTC.
    private static readonly DateTimeOffset Saturday = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A rollout driven step by step as the server will: each step's state feeds the next.</summary>
    private sealed class Rollout(string policy, List<RolloutSite> sites)
    {
        public RolloutPlan Plan { get; } = RolloutYaml.Plan(RolloutYaml.Policy(policy), sites);

        public RolloutState State { get; private set; } = null!;

        public DateTimeOffset Now { get; set; } = Saturday;

        public RolloutDecision Step(params RolloutEvent[] events)
        {
            var decision = RolloutDecider.Next(Plan, State ?? RolloutState.Start(Plan), Now, events);
            State = decision.State;
            return decision;
        }

        public SiteRolloutState this[string site] => State[site].State;

        public static string[] Started(RolloutDecision d) => [.. d.Actions.OfType<RolloutAction.StartDeploy>().Select(a => a.Site)];
    }

    [Fact]
    public void Next_CanaryFails_HaltsBeforeWave1EvenWithinTheBudget()
    {
        var rollout = new Rollout("          canary: {sites: [kr-01]}\n          failureBudget: 50%\n", RolloutYaml.Sites(2, "kr", "us"));

        Assert.Equal(["kr-01"], Rollout.Started(rollout.Step()));
        var failed = rollout.Step(new DeployFailed("kr-01", 1, "keystone: timed out", Saturday));

        Assert.Equal(RolloutStatus.Halted, failed.State.Status);
        var halt = Assert.IsType<RolloutAction.Halt>(Assert.Single(failed.Actions));
        Assert.Equal(RolloutReasons.CanaryFailed, halt.Reason);
        Assert.Equal("canary site kr-01 failed (deploy failed: keystone: timed out)", halt.Message);
        Assert.Equal([SiteRolloutState.Halted, SiteRolloutState.Halted, SiteRolloutState.Halted], new[] { "kr-02", "us-01", "us-02" }.Select(s => rollout[s]));
        Assert.Empty(Rollout.Started(rollout.Step()));
    }

    [Fact]
    public void Next_BakeCheckFails_HaltsTheNextWave()
    {
        var rollout = new Rollout("          waves: {by: region}\n          failureBudget: 5\n          bake: {duration: 10m, pipeline: health-check}\n", RolloutYaml.Sites(1, "kr", "us"));
        rollout.Step();

        var deployed = rollout.Step(new DeploySucceeded("kr-01", 1, Saturday.AddMinutes(20)));
        Assert.Equal(SiteRolloutState.Baking, rollout["kr-01"]);
        Assert.Equal(Saturday.AddMinutes(30), deployed.WakeAt);
        Assert.Empty(deployed.Actions);

        rollout.Now = Saturday.AddMinutes(30);
        var check = Assert.IsType<RolloutAction.StartBakeCheck>(Assert.Single(rollout.Step().Actions));
        Assert.Equal(("kr-01", 1, "health-check"), (check.Site, check.Attempt, check.Pipeline));
        Assert.Empty(rollout.Step().Actions);

        var failed = rollout.Step(new BakeFailed("kr-01", 1, "nova-api answers 503", Saturday.AddMinutes(35)));

        Assert.Equal(RolloutStatus.Halted, failed.State.Status);
        Assert.Equal(SiteRolloutState.Halted, rollout["us-01"]);
        Assert.Equal(new SiteTransition("kr-01", SiteRolloutState.Baking, SiteRolloutState.Failed, RolloutReasons.BakeFailed, "bake check failed: nova-api answers 503", Saturday.AddMinutes(35)), failed.Transitions[0]);
    }

    [Fact]
    public void Next_GatedWave_WaitsUntilSomeoneWithTheRoleApproves()
    {
        var rollout = new Rollout("          canary: {sites: [kr-01]}\n          gates: [{before: wave-1, approvers: [sre-leads]}]\n", RolloutYaml.Sites(2, "kr"));
        rollout.Step();

        var waiting = rollout.Step(new DeploySucceeded("kr-01", 1, Saturday));
        Assert.Equal(new RolloutAction.WaitForApproval("wave-1", "before-wave-1", ["sre-leads"]), Assert.Single(waiting.Actions), new ApprovalComparer());
        Assert.Equal(SiteRolloutState.WaitingForApproval, rollout["kr-02"]);

        var wrongRole = rollout.Step(new Approved("before-wave-1", "mallory", ["developers"], Saturday));
        Assert.Equal("mallory holds none of the roles that approve gate 'before-wave-1': sre-leads", Assert.Single(wrongRole.Ignored).Why);
        Assert.Empty(Rollout.Started(wrongRole));

        var approved = rollout.Step(new Approved("before-wave-1", "alice", ["sre-leads"], Saturday));
        Assert.Equal(["kr-02"], Rollout.Started(approved));
        Assert.Equal("alice", approved.State.Approvals["before-wave-1"]);
    }

    private sealed class ApprovalComparer : IEqualityComparer<RolloutAction>
    {
        public bool Equals(RolloutAction? x, RolloutAction? y) =>
            x is RolloutAction.WaitForApproval a && y is RolloutAction.WaitForApproval b && (a.Wave, a.Gate) == (b.Wave, b.Gate) && a.Roles.SequenceEqual(b.Roles);

        public int GetHashCode(RolloutAction obj) => 0;
    }

    [Fact]
    public void Next_WindowClosed_WaitsForTheNextOpeningThenStarts()
    {
        var rollout = new Rollout("          windows: {allow: [{days: [Mon..Fri], hours: \"09:00-17:00\"}]}\n", RolloutYaml.Sites(2, "kr"));
        var monday = new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

        var closed = rollout.Step();

        Assert.Equal(new RolloutAction.WaitForWindow("wave-1", monday), Assert.Single(closed.Actions));
        Assert.Equal(monday, closed.WakeAt);
        Assert.All(closed.Transitions, t => Assert.Equal((SiteRolloutState.WaitingForWindow, "the change windows are closed until 2026-12-07 09:00:00Z"), (t.To, t.Message)));
        rollout.Now = monday;
        Assert.Equal(["kr-01", "kr-02"], Rollout.Started(rollout.Step()));
    }

    [Fact]
    public void Next_FailuresWithinTheBudget_GoOnAndCompleteWithFailures()
    {
        var rollout = new Rollout("          failureBudget: 2\n", RolloutYaml.Sites(5, "kr"));
        rollout.Step();

        rollout.Step(new DeployFailed("kr-01", 1, "x", Saturday), new DeployFailed("kr-02", 1, "x", Saturday));
        Assert.Equal(RolloutStatus.Running, rollout.State.Status);
        var done = rollout.Step(new DeploySucceeded("kr-03", 1, Saturday), new DeploySucceeded("kr-04", 1, Saturday), new DeploySucceeded("kr-05", 1, Saturday));

        Assert.Equal(RolloutStatus.SucceededWithFailures, done.State.Status);
        Assert.Equal(new RolloutAction.Complete(RolloutStatus.SucceededWithFailures), Assert.Single(done.Actions));
        Assert.Equal("3 of 5 sites succeeded", Assert.Single(done.StatusChanges).Message);
    }

    [Fact]
    public void Next_FailuresBeyondTheBudget_Halt()
    {
        var rollout = new Rollout("          failureBudget: 20%\n          maxParallelSites: 3\n", RolloutYaml.Sites(10, "kr"));
        rollout.Step();

        rollout.Step(new DeployFailed("kr-01", 1, "x", Saturday), new DeployFailed("kr-02", 1, "x", Saturday));
        Assert.Equal(RolloutStatus.Running, rollout.State.Status);
        var halted = rollout.Step(new DeployFailed("kr-03", 1, "x", Saturday));

        Assert.Equal("3 sites failed; the failure budget (20%) allows 2 of 10", Assert.IsType<RolloutAction.Halt>(Assert.Single(halted.Actions)).Message);
        Assert.Equal(5, halted.State.Count(SiteRolloutState.Halted));
    }

    [Fact]
    public void Next_MaxParallelSites_NeverMoreDeployingAtOnce()
    {
        var rollout = new Rollout("          maxParallelSites: 3\n", RolloutYaml.Sites(10, "kr"));
        var started = new List<string>(Rollout.Started(rollout.Step()));
        var peak = 0;
        while (rollout.State.Status == RolloutStatus.Running)
        {
            peak = Math.Max(peak, rollout.State.Count(SiteRolloutState.Deploying));
            var site = rollout.State.Sites.First(s => s.State == SiteRolloutState.Deploying).Site;
            started.AddRange(Rollout.Started(rollout.Step(new DeploySucceeded(site, 1, Saturday))));
        }

        Assert.Equal(3, peak);
        Assert.Equal(RolloutYaml.Sites(10, "kr").Select(s => s.Name), started);
        Assert.Equal(RolloutStatus.Succeeded, rollout.State.Status);
    }

    [Fact]
    public void Next_PauseResumeAbort_StopStartAndSkip()
    {
        var rollout = new Rollout("          maxParallelSites: 1\n", RolloutYaml.Sites(3, "kr"));
        rollout.Step();

        var paused = rollout.Step(new Paused("alice", Saturday), new DeploySucceeded("kr-01", 1, Saturday));
        Assert.Empty(Rollout.Started(paused));
        Assert.Equal((RolloutStatus.Running, RolloutStatus.Paused, "paused by alice"), (paused.StatusChanges[0].From, paused.StatusChanges[0].To, paused.StatusChanges[0].Message));

        Assert.Equal(["kr-02"], Rollout.Started(rollout.Step(new Resumed("alice", Saturday))));
        var aborted = rollout.Step(new Aborted("bob", "wrong revision", Saturday));

        Assert.Equal(SiteRolloutState.Skipped, rollout["kr-03"]);
        Assert.Equal(SiteRolloutState.Deploying, rollout["kr-02"]);
        Assert.Empty(aborted.Actions);
        var done = rollout.Step(new DeploySucceeded("kr-02", 1, Saturday));
        Assert.Equal(new RolloutAction.Complete(RolloutStatus.Aborted), Assert.Single(done.Actions));
    }

    [Fact]
    public void Next_RetryOfTheFailedSite_LiftsTheHaltAndDeploysAgain()
    {
        var rollout = new Rollout("          waves: {by: region}\n", RolloutYaml.Sites(2, "kr", "us"));
        rollout.Step();
        rollout.Step(new DeployFailed("kr-01", 1, "x", Saturday), new DeploySucceeded("kr-02", 1, Saturday));
        Assert.Equal(RolloutStatus.Halted, rollout.State.Status);

        var retried = rollout.Step(new RetryRequested("kr-01", "alice", Saturday));

        Assert.Equal(RolloutStatus.Running, retried.State.Status);
        Assert.Equal(new RolloutAction.StartDeploy("kr-01", 2, "wave-1"), Assert.Single(retried.Actions));
        Assert.Equal([SiteRolloutState.Pending, SiteRolloutState.Pending], new[] { "us-01", "us-02" }.Select(s => rollout[s]));
        var stale = rollout.Step(new DeployFailed("kr-01", 1, "x", Saturday));
        Assert.Equal("site 'kr-01' is Deploying at attempt 2, not Deploying at attempt 1", Assert.Single(stale.Ignored).Why);
        Assert.Equal(["us-01", "us-02"], Rollout.Started(rollout.Step(new DeploySucceeded("kr-01", 2, Saturday))));
    }

    [Fact]
    public void Next_EventsFedTwice_ChangeNothingTheSecondTime()
    {
        var rollout = new Rollout("          canary: {perRegion: 1}\n          waves: {by: region}\n          failureBudget: 1\n          bake: {duration: 5m}\n          gates: [{before: each, approvers: sre}]\n", RolloutYaml.Sites(3, "kr", "us"));
        rollout.Step();
        RolloutEvent[] events =
        [
            new DeploySucceeded("kr-01", 1, Saturday), new DeployFailed("us-01", 1, "x", Saturday),
            new RetryRequested("us-01", "alice", Saturday), new Approved("before-wave-1", "alice", ["sre"], Saturday),
        ];
        rollout.Step(events);
        var before = rollout.State;

        var again = rollout.Step(events);

        Assert.Empty(again.Transitions);
        Assert.Empty(again.Actions.Where(a => a is RolloutAction.StartDeploy or RolloutAction.StartBakeCheck or RolloutAction.Halt));
        Assert.Equal(4, again.Ignored.Length);
        Assert.Equal(before.Sites, again.State.Sites);
        Assert.Equal((before.Wave, before.Status), (again.State.Wave, again.State.Status));
    }

    [Fact]
    public void Next_SameInputs_SameDecision()
    {
        var policy = "          canary: {perRegion: 1}\n          waves: {by: region}\n          maxParallelSites: 3\n";
        RolloutDecision Run()
        {
            var rollout = new Rollout(policy, RolloutYaml.Sites(4, "kr", "us", "eu"));
            rollout.Step();
            return rollout.Step(new DeploySucceeded("eu-01", 1, Saturday), new DeploySucceeded("kr-01", 1, Saturday), new DeploySucceeded("us-01", 1, Saturday));
        }

        var (a, b) = (Run(), Run());

        Assert.Equal(a.Transitions, b.Transitions);
        Assert.Equal(a.Actions, b.Actions);
        Assert.Equal(["eu-02", "eu-03", "eu-04"], Rollout.Started(a));
    }

    [Fact]
    public void Next_NoSites_CompletesAtOnce()
    {
        var plan = RolloutYaml.Plan(RolloutYaml.Policy("          maxParallelSites: 1\n"), []);

        var decision = RolloutDecider.Next(plan, RolloutState.Start(plan), Saturday, ImmutableArray<RolloutEvent>.Empty);

        Assert.Equal(new RolloutAction.Complete(RolloutStatus.Succeeded), Assert.Single(decision.Actions));
    }
}
