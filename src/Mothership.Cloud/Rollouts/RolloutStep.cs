using System.Collections.Immutable;
using System.Globalization;

namespace Mothership.Cloud.Rollouts;

/// <summary>One <see cref="RolloutDecider.Next"/> step's working copy: the sites as an array in plan order, changed in place, frozen at the end.</summary>
internal sealed class RolloutStep
{
    private readonly RolloutPlan _plan;
    private readonly RolloutPolicy _policy;
    private readonly RolloutState _before;
    private readonly DateTimeOffset _now;
    private readonly SiteProgress[] _sites;
    private readonly Dictionary<string, int> _index;
    private readonly ImmutableDictionary<string, string>.Builder _approvals;
    private readonly List<RolloutAction> _actions = [];
    private readonly List<SiteTransition> _transitions = [];
    private readonly List<RolloutStatusChange> _statusChanges = [];
    private readonly List<(RolloutEvent, string)> _ignored = [];
    private int _wave;
    private bool _paused;
    private bool _aborted;
    private string? _haltMessage;
    private DateTimeOffset? _wakeAt;
    private string? _statusReason;
    private RolloutStatus _status;
    private bool _done;

    public RolloutStep(RolloutPlan plan, RolloutState state, DateTimeOffset now)
    {
        _plan = plan;
        _policy = plan.Policy;
        _before = state;
        _now = now;
        _sites = [.. state.Sites];
        _index = new Dictionary<string, int>(_sites.Length, StringComparer.Ordinal);
        for (var i = 0; i < _sites.Length; i++)
        {
            _index[_sites[i].Site] = i;
        }

        _approvals = state.Approvals.ToBuilder();
        _wave = state.Wave;
        _paused = state.Paused;
        _aborted = state.Aborted;
        _haltMessage = state.HaltMessage;
    }

    public void Apply(RolloutEvent e)
    {
        switch (e)
        {
            case RolloutEvent.DeploySucceeded d when Find(e, d.Site, SiteRolloutState.Deploying, d.Attempt) is { } i:
                if (_policy.Bake is { } bake)
                {
                    var until = d.At + bake.Duration;
                    Move(i, SiteRolloutState.Baking, RolloutReasons.DeploySucceeded, $"deployed; bakes until {Time(until)}", d.At, p => p with { BakeUntil = until, BakeCheckStarted = false });
                }
                else
                {
                    Move(i, SiteRolloutState.Succeeded, RolloutReasons.DeploySucceeded, "deployed", d.At);
                }

                break;
            case RolloutEvent.DeployFailed f when Find(e, f.Site, SiteRolloutState.Deploying, f.Attempt) is { } i:
                Move(i, SiteRolloutState.Failed, RolloutReasons.DeployFailed, $"deploy failed: {f.Message}", f.At, p => p with { FailedInBake = false });
                break;
            case RolloutEvent.BakePassed b when Find(e, b.Site, SiteRolloutState.Baking, b.Attempt, checkStarted: true) is { } i:
                Move(i, SiteRolloutState.Succeeded, RolloutReasons.BakePassed, "bake check passed", b.At, p => p with { BakeUntil = null });
                break;
            case RolloutEvent.BakeFailed b when Find(e, b.Site, SiteRolloutState.Baking, b.Attempt, checkStarted: true) is { } i:
                Move(i, SiteRolloutState.Failed, RolloutReasons.BakeFailed, $"bake check failed: {b.Message}", b.At, p => p with { BakeUntil = null, FailedInBake = true });
                break;
            case RolloutEvent.Approved a:
                Approve(a);
                break;
            case RolloutEvent.Paused p:
                if (_paused || _aborted || _before.Done)
                {
                    Ignore(e, _paused ? "the rollout is paused already" : "the rollout is over");
                }
                else
                {
                    _paused = true;
                    _statusReason = $"paused by {p.By}";
                }

                break;
            case RolloutEvent.Resumed r:
                if (!_paused)
                {
                    Ignore(e, "the rollout is not paused");
                }
                else
                {
                    _paused = false;
                    _statusReason = $"resumed by {r.By}";
                }

                break;
            case RolloutEvent.Aborted a:
                if (_aborted || _before.Done)
                {
                    Ignore(e, "the rollout is over");
                    break;
                }

                _aborted = true;
                _statusReason = $"aborted by {a.By}: {a.Message}";
                for (var i = 0; i < _sites.Length; i++)
                {
                    if (_sites[i].IsWaiting || _sites[i].State == SiteRolloutState.Halted)
                    {
                        Move(i, SiteRolloutState.Skipped, RolloutReasons.Aborted, _statusReason, a.At);
                    }
                }

                break;
            case RolloutEvent.RetryRequested r:
                if (!_index.TryGetValue(r.Site, out var at))
                {
                    Ignore(e, $"no site '{r.Site}' in the rollout");
                }
                else if (_aborted || _before.Done || _sites[at].State != SiteRolloutState.Failed)
                {
                    Ignore(e, _aborted || _before.Done ? "the rollout is over" : $"site '{r.Site}' has not failed (it is {_sites[at].State})");
                }
                else
                {
                    Move(at, SiteRolloutState.Pending, RolloutReasons.Retried, $"retry requested by {r.By}", r.At, p => p with { FailedInBake = false });
                }

                break;
        }

        UpdateHalt(e.At);
    }

    /// <summary>The site's index when it is in <paramref name="state"/> at <paramref name="attempt"/>; else the event is ignored (a repeat, or another attempt's).</summary>
    private int? Find(RolloutEvent e, string site, SiteRolloutState state, int attempt, bool checkStarted = false)
    {
        if (!_index.TryGetValue(site, out var i))
        {
            Ignore(e, $"no site '{site}' in the rollout");
            return null;
        }

        var p = _sites[i];
        if (p.State != state || p.Attempt != attempt || (checkStarted && !p.BakeCheckStarted))
        {
            Ignore(e, $"site '{site}' is {p.State} at attempt {p.Attempt}{(p.State == SiteRolloutState.Baking && !p.BakeCheckStarted ? " (its bake check has not started)" : "")}, not {state} at attempt {attempt}");
            return null;
        }

        return i;
    }

    private void Approve(RolloutEvent.Approved a)
    {
        if (_plan.GateWave(a.Gate) is not { Gate: { } gate })
        {
            Ignore(a, $"the rollout has no gate '{a.Gate}' (its gates: {string.Join(", ", _plan.Waves.Where(w => w.Gate is not null).Select(w => w.GateId).DefaultIfEmpty("none"))})");
        }
        else if (_approvals.TryGetValue(a.Gate, out var by))
        {
            Ignore(a, $"gate '{a.Gate}' was approved by {by} already");
        }
        else if (!a.Roles.Any(gate.IsApprover))
        {
            Ignore(a, $"{a.Approver} holds none of the roles that approve gate '{a.Gate}': {string.Join(", ", gate.Approvers)}");
        }
        else
        {
            _approvals[a.Gate] = a.Approver;
        }
    }

    /// <summary>Halts when a failure calls for it, and lifts the halt once no failure does (the failed sites were retried).</summary>
    private void UpdateHalt(DateTimeOffset at)
    {
        if (_aborted)
        {
            return;
        }

        var cause = HaltCause();
        if (_haltMessage is null && cause is { } c)
        {
            _haltMessage = c.Message;
            _statusReason = c.Message;
            _actions.Add(new RolloutAction.Halt(c.Reason, c.Message));
            for (var i = 0; i < _sites.Length; i++)
            {
                if (_sites[i].IsWaiting)
                {
                    Move(i, SiteRolloutState.Halted, c.Reason, $"halted: {c.Message}", at);
                }
            }
        }
        else if (_haltMessage is not null && cause is null)
        {
            _statusReason = $"the failures that halted it were retried ({_haltMessage})";
            _haltMessage = null;
            for (var i = 0; i < _sites.Length; i++)
            {
                if (_sites[i].State == SiteRolloutState.Halted)
                {
                    Move(i, SiteRolloutState.Pending, RolloutReasons.HaltLifted, _statusReason, at);
                }
            }
        }
    }

    private (string Reason, string Message)? HaltCause()
    {
        var failed = 0;
        string? first = null;
        foreach (var p in _sites)
        {
            if (p.State != SiteRolloutState.Failed)
            {
                continue;
            }

            if (_plan.Waves[p.Wave].IsCanary)
            {
                return (RolloutReasons.CanaryFailed, $"canary site {p.Site} failed ({p.Message})");
            }

            if (p.FailedInBake)
            {
                return (RolloutReasons.BakeFailed, $"site {p.Site}: {p.Message}");
            }

            failed++;
            first ??= $"{p.Site} ({p.Message})";
        }

        var allowed = _policy.AllowedFailures(_sites.Length);
        if (failed <= allowed)
        {
            return null;
        }

        return allowed == 0
            ? (RolloutReasons.DeployFailed, $"site {first} failed and haltOnFailure is on")
            : (RolloutReasons.FailureBudgetExceeded, $"{failed} sites failed; the failure budget ({_policy.FailureBudget}) allows {allowed} of {_sites.Length}");
    }

    public void Decide()
    {
        FinishBakes();
        if (!_aborted && _haltMessage is null && !_paused)
        {
            Advance();
            StartSites();
        }

        UpdateStatus();
    }

    private void FinishBakes()
    {
        if (_policy.Bake is not { } bake)
        {
            return;
        }

        for (var i = 0; i < _sites.Length; i++)
        {
            var p = _sites[i];
            if (p.State != SiteRolloutState.Baking || p.BakeCheckStarted || p.BakeUntil is not { } until)
            {
                continue;
            }

            if (until > _now)
            {
                Wake(until);
            }
            else if (bake.Pipeline is { } pipeline)
            {
                _sites[i] = p with { BakeCheckStarted = true };
                _actions.Add(new RolloutAction.StartBakeCheck(p.Site, p.Attempt, pipeline));
            }
            else
            {
                Move(i, SiteRolloutState.Succeeded, RolloutReasons.BakeTimeElapsed, $"baked {bake.Duration} without a check", until, q => q with { BakeUntil = null });
            }
        }
    }

    /// <summary>Starts the next wave once every site of the waves so far finished and its gate, if any, is approved.</summary>
    private void Advance()
    {
        while (_wave + 1 < _plan.Waves.Length && (_wave < 0 || WavesFinished(_wave)))
        {
            var next = _plan.Waves[_wave + 1];
            if (next.Gate is { } gate && !_approvals.ContainsKey(next.GateId))
            {
                var message = $"{next.Name} waits for approval of {next.GateId} by {string.Join(" or ", gate.Approvers)}";
                foreach (var site in next.Sites)
                {
                    var i = _index[site];
                    if (_sites[i].IsWaiting)
                    {
                        Move(i, SiteRolloutState.WaitingForApproval, RolloutReasons.WaitingForApproval, message, _now);
                    }
                }

                _actions.Add(new RolloutAction.WaitForApproval(next.Name, next.GateId, gate.Approvers));
                return;
            }

            _wave++;
        }
    }

    private bool WavesFinished(int through)
    {
        foreach (var p in _sites)
        {
            if (p.Wave <= through && !p.IsFinished)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Starts waiting sites of the waves begun, in plan order, as far as the windows and <see cref="RolloutPolicy.MaxParallelSites"/> allow.</summary>
    private void StartSites()
    {
        var deploying = 0;
        var waiting = 0;
        foreach (var p in _sites)
        {
            deploying += p.State == SiteRolloutState.Deploying ? 1 : 0;
            waiting += p.Wave <= _wave && p.IsWaiting ? 1 : 0;
        }

        if (waiting == 0)
        {
            return;
        }

        var wave = _plan.Waves[_wave].Name;
        if (_policy.Windows is { } windows && !windows.IsOpen(_now))
        {
            var opens = windows.NextOpening(_now);
            var message = opens is { } o ? $"the change windows are closed until {Time(o)}" : $"the change windows stay closed for the next {ChangeWindows.Horizon.TotalDays} days";
            for (var i = 0; i < _sites.Length; i++)
            {
                if (_sites[i].Wave <= _wave && _sites[i].IsWaiting)
                {
                    Move(i, SiteRolloutState.WaitingForWindow, RolloutReasons.WaitingForWindow, message, _now);
                }
            }

            _actions.Add(new RolloutAction.WaitForWindow(wave, opens));
            if (opens is { } at)
            {
                Wake(at);
            }

            return;
        }

        var free = _policy.MaxParallelSites is { } max ? max - deploying : int.MaxValue;
        for (var i = 0; i < _sites.Length; i++)
        {
            var p = _sites[i];
            if (p.Wave > _wave || !p.IsWaiting)
            {
                continue;
            }

            if (free > 0)
            {
                free--;
                var name = _plan.Waves[p.Wave].Name;
                Move(i, SiteRolloutState.Deploying, RolloutReasons.DeployStarted, $"{name}: deploy attempt {p.Attempt + 1}", _now, q => q with { Attempt = q.Attempt + 1 });
                _actions.Add(new RolloutAction.StartDeploy(p.Site, p.Attempt + 1, name));
            }
            else if (p.State != SiteRolloutState.Pending)
            {
                Move(i, SiteRolloutState.Pending, RolloutReasons.Queued, $"waits for one of the {_policy.MaxParallelSites} deploy slots (maxParallelSites)", _now);
            }
        }
    }

    private void UpdateStatus()
    {
        var inFlight = false;
        var finished = true;
        var failed = false;
        foreach (var p in _sites)
        {
            inFlight |= p.IsInFlight;
            finished &= p.IsFinished;
            failed |= p.State == SiteRolloutState.Failed;
        }

        var status = _aborted ? RolloutStatus.Aborted
            : _haltMessage is not null ? RolloutStatus.Halted
            : finished ? (failed ? RolloutStatus.SucceededWithFailures : RolloutStatus.Succeeded)
            : _paused ? RolloutStatus.Paused
            : RolloutStatus.Running;
        if (status != _before.Status)
        {
            var reason = status switch
            {
                RolloutStatus.Paused => RolloutReasons.Paused,
                RolloutStatus.Halted => RolloutReasons.Halted,
                RolloutStatus.Aborted => RolloutReasons.Aborted,
                RolloutStatus.Succeeded or RolloutStatus.SucceededWithFailures => RolloutReasons.Completed,
                _ => _before.Status == RolloutStatus.Halted ? RolloutReasons.HaltLifted : RolloutReasons.Resumed,
            };
            var message = status is RolloutStatus.Succeeded or RolloutStatus.SucceededWithFailures
                ? $"{_sites.Count(s => s.State == SiteRolloutState.Succeeded)} of {_sites.Length} sites succeeded"
                : _statusReason ?? status.ToString();
            _statusChanges.Add(new RolloutStatusChange(_before.Status, status, reason, message, _now));
        }

        _done = _before.Done || (status is RolloutStatus.Aborted or RolloutStatus.Succeeded or RolloutStatus.SucceededWithFailures && !inFlight);
        if (_done && !_before.Done)
        {
            _actions.Add(new RolloutAction.Complete(status));
        }

        _status = status;
    }

    public RolloutDecision Result() => new()
    {
        State = new RolloutState
        {
            Sites = [.. _sites],
            Wave = _wave,
            Approvals = _approvals.ToImmutable(),
            Status = _status,
            Paused = _paused,
            Aborted = _aborted,
            HaltMessage = _haltMessage,
            Done = _done,
        },
        Actions = [.. _actions],
        Transitions = [.. _transitions],
        StatusChanges = [.. _statusChanges],
        Ignored = [.. _ignored],
        // Bakes go on while paused, so their deadlines still wake the driver.
        WakeAt = _done ? null : _wakeAt,
    };

    private void Move(int i, SiteRolloutState to, string reason, string message, DateTimeOffset at, Func<SiteProgress, SiteProgress>? change = null)
    {
        var p = _sites[i];
        if (p.State == to && change is null)
        {
            return;
        }

        var next = p with { State = to, Reason = reason, Message = message };
        _sites[i] = change is null ? next : change(next);
        if (p.State != to)
        {
            _transitions.Add(new SiteTransition(p.Site, p.State, to, reason, message, at));
        }
    }

    private void Ignore(RolloutEvent e, string why) => _ignored.Add((e, why));

    private void Wake(DateTimeOffset at) => _wakeAt = _wakeAt is { } w && w <= at ? w : at;

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
