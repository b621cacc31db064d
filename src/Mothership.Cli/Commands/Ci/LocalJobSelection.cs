using Mothership.Ci.Jobs;

namespace Mothership.Cli.Commands.Ci;

/// <summary>A job an event would or would not start, and why (<c>mship ci test</c> prints it).</summary>
/// <param name="Job">The presubmit or postsubmit.</param>
/// <param name="Runs">Whether it runs.</param>
/// <param name="Reason">Why, in a few words.</param>
internal sealed record JobDecision(ProwJob Job, bool Runs, string Reason);

/// <summary>
/// Which jobs an event starts, decided by the same rules the trigger applies (<see
/// cref="Presubmit.ShouldRun(string, IReadOnlyList{string}, bool, bool)"/>,
/// <see cref="Postsubmit.ShouldRun(string, IReadOnlyList{string})"/>), each with the reason.
/// </summary>
internal static class LocalJobSelection
{
    /// <summary>
    /// A pull request against <paramref name="baseBranch"/> changing <paramref name="files"/>: the
    /// presubmits <c>/test all</c> starts, or only <paramref name="named"/>, forced (as <c>/test NAME</c>).
    /// </summary>
    public static IReadOnlyList<JobDecision> PullRequest(IEnumerable<Presubmit> jobs, string baseBranch, IReadOnlyList<string> files, string? named)
    {
        var decisions = new List<JobDecision>();
        foreach (var job in jobs.Where(j => named is null || j.Name == named))
        {
            var forced = named is not null;
            if (!job.CouldRun(baseBranch))
            {
                decisions.Add(new(job, false, $"not run against branch {baseBranch} (branches / skip_branches)"));
            }
            else if (forced)
            {
                decisions.Add(new(job, true, "named"));
            }
            else if (job.AlwaysRun)
            {
                decisions.Add(new(job, true, "always_run"));
            }
            else if (job.NeedsExplicitTrigger)
            {
                decisions.Add(new(job, false, $"runs only when asked ({job.RerunCommand}): name it to run it"));
            }
            else
            {
                var runs = job.ShouldRun(baseBranch, files, forced: false, defaults: false);
                decisions.Add(new(job, runs, Changes(job.Changes, runs)));
            }
        }

        return decisions;
    }

    /// <summary>A push to <paramref name="branch"/> changing <paramref name="files"/>: its postsubmits, or only <paramref name="named"/>, forced.</summary>
    public static IReadOnlyList<JobDecision> Push(IEnumerable<Postsubmit> jobs, string branch, IReadOnlyList<string> files, string? named)
    {
        var decisions = new List<JobDecision>();
        foreach (var job in jobs.Where(j => named is null || j.Name == named))
        {
            if (!job.CouldRun(branch))
            {
                decisions.Add(new(job, false, $"not run on branch {branch} (branches / skip_branches)"));
            }
            else if (named is not null)
            {
                decisions.Add(new(job, true, "named"));
            }
            else if (job.Changes.CouldRun)
            {
                var runs = job.ShouldRun(branch, files);
                decisions.Add(new(job, runs, Changes(job.Changes, runs)));
            }
            else
            {
                var runs = job.ShouldRun(branch, files);
                decisions.Add(new(job, runs, runs ? "runs on every push" : "always_run: false"));
            }
        }

        return decisions;
    }

    private static string Changes(ChangeMatcher changes, bool runs) => changes.RunIfChanged is { } run
        ? runs ? $"run_if_changed '{run}' matches a changed file" : $"no changed file matches run_if_changed '{run}'"
        : runs ? $"a changed file is outside skip_if_only_changed '{changes.SkipIfOnlyChanged}'" : $"every changed file matches skip_if_only_changed '{changes.SkipIfOnlyChanged}'";
}
