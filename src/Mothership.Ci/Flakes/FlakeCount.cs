namespace Mothership.Ci.Flakes;

/// <summary>How many commits a job flaked on in a week.</summary>
/// <param name="Repository"><c>owner/name</c>.</param>
/// <param name="Job">The job's name.</param>
/// <param name="Week">The ISO week (<c>2026-W49</c>).</param>
/// <param name="Count">Commits it failed and then passed on.</param>
public sealed record FlakeCount(string Repository, string Job, string Week, int Count);
