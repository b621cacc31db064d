using System.Globalization;
using Mothership.Ci.Reporting;
using Mothership.Ci.Triggers;
using Mothership.Store;

namespace Mothership.Ci.Flakes;

/// <summary>
/// Finds flakes in job results: for each required presubmit and commit, a failure (or error)
/// followed by a success. None of Prow, Tekton or Pipelines-as-Code records this; a merge queue
/// that retests on every base change makes flaky jobs the most expensive thing in CI, so they are
/// counted where a team looks (the dashboard, <c>/metrics</c>). A commit counts once, however
/// many times it failed before passing; aborted runs do not count (nothing was learnt).
/// </summary>
public static class FlakeLedger
{
    /// <summary>The flakes among <paramref name="results"/>, newest first.</summary>
    public static IReadOnlyList<Flake> Find(IEnumerable<JobResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var flakes = new List<Flake>();
        var groups = results
            .Where(r => r.Type == JobTypes.Presubmit && r.Pull is not null && r.Sha.Length > 0 && r.Context is not null && !r.Optional)
            .GroupBy(r => (r.Repository, r.Job, r.Sha));
        foreach (var group in groups)
        {
            JobResult? failed = null;
            foreach (var result in group.OrderBy(r => r.CreatedAt).ThenBy(r => r.Uid, StringComparer.Ordinal))
            {
                if (result.State is JobStates.Failure or JobStates.Error)
                {
                    failed ??= result;
                }
                else if (result.State == JobStates.Success && failed is not null)
                {
                    flakes.Add(new Flake(result.Repository, result.Job, result.Pull!.Value, result.Sha, failed.RunName, result.CreatedAt, Week(result.CreatedAt)));
                    break;
                }
            }
        }

        return [.. flakes.OrderByDescending(f => f.PassedAt)];
    }

    /// <summary>Flakes per repository, job and ISO week, the most frequent first.</summary>
    public static IReadOnlyList<FlakeCount> Count(IEnumerable<Flake> flakes) =>
        [.. flakes.GroupBy(f => (f.Repository, f.Job, f.Week))
            .Select(g => new FlakeCount(g.Key.Repository, g.Key.Job, g.Key.Week, g.Count()))
            .OrderByDescending(c => c.Week, StringComparer.Ordinal).ThenByDescending(c => c.Count)
            .ThenBy(c => c.Repository, StringComparer.Ordinal).ThenBy(c => c.Job, StringComparer.Ordinal)];

    /// <summary>The ISO 8601 week of <paramref name="at"/> in UTC: <c>2026-W49</c>.</summary>
    public static string Week(DateTimeOffset at)
    {
        var day = at.UtcDateTime;
        return string.Create(CultureInfo.InvariantCulture, $"{ISOWeek.GetYear(day)}-W{ISOWeek.GetWeekOfYear(day):00}");
    }
}
