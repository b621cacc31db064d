using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Mothership.Cloud.Rollouts;

namespace Mothership.Bench;

/// <summary>
/// <c>rollout [--sites N] [--seed S]</c>: N sites in 5 regions rolled out through
/// <see cref="RolloutDecider"/> in simulated time. Each site's deploy takes a lognormal time
/// (median 20 min, σ 0.5, at least 3 min) and fails with probability 2 %, drawn once per site so
/// every policy sees the same sites; a bake check takes 3 min and passes. The simulated driver
/// does what the server will: start what the decider says, feed back what ends, call again at
/// the decision's wake time; a canary failure halts, and it retries the failed canary 15 min later
/// (as an operator would; the retry succeeds). Prints the makespan, the transitions (the store
/// writes per site) and the decider's CPU time per policy.
/// </summary>
internal static class RolloutBenchmark
{
    private static readonly string[] Regions = ["kr1", "kr2", "us1", "eu1", "jp1"];

    // Monday 2026-12-07 09:00 in Seoul: the windows scenario starts at an opening.
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);

    private sealed record SiteDraw(TimeSpan Duration, bool Fails);

    private sealed record Outcome(TimeSpan Makespan, int Succeeded, int Failed, int Transitions, int Writes, int StatusChanges, int Calls, double DeciderMs, double ProcessCpuMs, RolloutStatus Status);

    public static int Run(int siteCount, int seed)
    {
        var random = new Random(seed);
        var sites = Enumerable.Range(0, siteCount).Select(i => new RolloutSite($"{Regions[i % Regions.Length]}-{i / Regions.Length:0000}", Regions[i % Regions.Length], "prod")).ToList();
        var draws = sites.ToDictionary(s => s.Name, _ =>
        {
            // Box–Muller: a standard normal from two uniforms.
            var z = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            var minutes = Math.Max(3, 20 * Math.Exp(0.5 * z));
            return new SiteDraw(TimeSpan.FromMinutes(Math.Round(minutes, 2)), random.NextDouble() < 0.02);
        }, StringComparer.Ordinal);
        var sequential = TimeSpan.FromTicks(draws.Values.Sum(d => d.Duration.Ticks));
        var failing = draws.Values.Count(d => d.Fails);

        var budget = new FailureBudget { Percent = 5 };
        var canary = new RolloutCanary { PerRegion = 1 };
        var byRegion = new RolloutWaves { ByRegion = true };
        var bake = new RolloutBake { Duration = TimeSpan.FromMinutes(30), Pipeline = "health-check" };
        var seoul = new ChangeWindows
        {
            TimeZone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Seoul"),
            Allow = [new AllowedHours { Days = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday], Start = TimeSpan.FromHours(9), End = TimeSpan.FromHours(17) }],
        };
        RolloutPolicy Policy(int? max) => new() { Environment = "prod", MaxParallelSites = max, FailureBudget = budget };
        var scenarios = new (string Name, RolloutPolicy Policy)[]
        {
            ("one wave, maxParallelSites 1", Policy(1)),
            ("canary 1/region + one wave, maxParallelSites 10", Policy(10) with { Canary = canary }),
            ("canary 1/region + one wave, maxParallelSites 50", Policy(50) with { Canary = canary }),
            ("canary 1/region + one wave, maxParallelSites 100", Policy(100) with { Canary = canary }),
            ("canary 1/region + waves by region, maxParallelSites 50", Policy(50) with { Canary = canary, Waves = byRegion }),
            ("canary 1/region + waves by region, maxParallelSites 100", Policy(100) with { Canary = canary, Waves = byRegion }),
            ("canary 1/region + waves by region, no limit", Policy(null) with { Canary = canary, Waves = byRegion }),
            ("… maxParallelSites 50 + bake 30m and check 3m", Policy(50) with { Canary = canary, Waves = byRegion, Bake = bake }),
            ("… maxParallelSites 50 + bake + Seoul office hours (Mon–Fri 09–17)", Policy(50) with { Canary = canary, Waves = byRegion, Bake = bake, Windows = seoul }),
        };

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{siteCount} sites in {Regions.Length} regions, seed {seed}: deploys median 20 min (lognormal σ 0.5), {failing} fail ({100.0 * failing / siteCount:0.0} %); failure budget 5 %"));
        Console.WriteLine();
        Console.WriteLine("| policy | makespan (h) | vs sequential | succeeded | failed | site transitions | writes per site | status changes | decider calls | decider time (ms) | per call (µs) | simulation CPU (ms) |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| sequential, no decider (sum of deploy times) | {sequential.TotalHours:0.0} | 1.0× | {siteCount - failing} | {failing} | – | – | – | – | – | – | – |"));
        foreach (var (name, policy) in scenarios)
        {
            // A first run warms the JIT; the second is measured.
            Simulate(policy, sites, draws);
            var o = Simulate(policy, sites, draws);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {o.Makespan.TotalHours:0.0} | {sequential / o.Makespan:0.0}× | {o.Succeeded} | {o.Failed} | {o.Transitions} | {(double)o.Writes / siteCount:0.00} | {o.StatusChanges} | {o.Calls} | {o.DeciderMs:0.0} | {1000 * o.DeciderMs / o.Calls:0} | {o.ProcessCpuMs:0} |"));
            if (o.Status is not (RolloutStatus.Succeeded or RolloutStatus.SucceededWithFailures))
            {
                Console.Error.WriteLine($"{name}: ended {o.Status}");
                return 1;
            }
        }

        return 0;
    }

    private static double Cpu(Process process, TimeSpan before)
    {
        process.Refresh();
        return (process.TotalProcessorTime - before).TotalMilliseconds;
    }

    private static Outcome Simulate(RolloutPolicy policy, List<RolloutSite> sites, Dictionary<string, SiteDraw> draws)
    {
        using var current = Process.GetCurrentProcess();
        var cpuBefore = current.TotalProcessorTime;
        var plan = RolloutPlan.Build(policy, sites, new Mothership.Model.Diagnostics.DiagnosticBag()) ?? throw new InvalidOperationException("the plan did not build");
        var state = RolloutState.Start(plan);
        var queue = new PriorityQueue<RolloutEvent, (DateTimeOffset, long)>();
        long sequence = 0;
        var now = Start;
        var calls = 0;
        var transitions = 0;
        var writes = 0;
        var statusChanges = 0;
        var decider = TimeSpan.Zero;
        var stopwatch = new Stopwatch();
        var events = new List<RolloutEvent>();
        while (true)
        {
            stopwatch.Restart();
            var decision = RolloutDecider.Next(plan, state, now, events);
            stopwatch.Stop();
            decider += stopwatch.Elapsed;
            calls++;
            state = decision.State;
            transitions += decision.Transitions.Length;
            statusChanges += decision.StatusChanges.Length;
            // A site's record is written on each transition, and once more when its bake check starts.
            writes += decision.Transitions.Length;
            foreach (var action in decision.Actions)
            {
                switch (action)
                {
                    case RolloutAction.StartDeploy d:
                        var draw = draws[d.Site];
                        RolloutEvent ended = draw.Fails && d.Attempt == 1
                            ? new RolloutEvent.DeployFailed(d.Site, d.Attempt, "simulated failure", now + draw.Duration)
                            : new RolloutEvent.DeploySucceeded(d.Site, d.Attempt, now + draw.Duration);
                        queue.Enqueue(ended, (ended.At, sequence++));
                        break;
                    case RolloutAction.StartBakeCheck b:
                        writes++;
                        var passed = new RolloutEvent.BakePassed(b.Site, b.Attempt, now + TimeSpan.FromMinutes(3));
                        queue.Enqueue(passed, (passed.At, sequence++));
                        break;
                    case RolloutAction.Halt { Reason: RolloutReasons.CanaryFailed }:
                        foreach (var failed in state.Sites.Where(s => s.State == SiteRolloutState.Failed))
                        {
                            var retry = new RolloutEvent.RetryRequested(failed.Site, "operator", now + TimeSpan.FromMinutes(15));
                            queue.Enqueue(retry, (retry.At, sequence++));
                        }

                        break;
                }
            }

            if (state.Done)
            {
                return new Outcome(now - Start, state.Count(SiteRolloutState.Succeeded), state.Count(SiteRolloutState.Failed), transitions, writes, statusChanges, calls, decider.TotalMilliseconds, Cpu(current, cpuBefore), state.Status);
            }

            DateTimeOffset? next = queue.TryPeek(out _, out var head) ? head.Item1 : null;
            if (decision.WakeAt is { } wake && (next is null || wake < next))
            {
                next = wake;
            }

            if (next is not { } at)
            {
                return new Outcome(now - Start, state.Count(SiteRolloutState.Succeeded), state.Count(SiteRolloutState.Failed), transitions, writes, statusChanges, calls, decider.TotalMilliseconds, Cpu(current, cpuBefore), state.Status);
            }

            now = at;
            events = [];
            while (queue.TryPeek(out var e, out var when) && when.Item1 <= now)
            {
                events.Add(e);
                queue.Dequeue();
            }
        }
    }
}
