using Mothership.Ci.Forge;
using Mothership.Ci.Plugins.ReleaseNote;
using Mothership.Store;

namespace Mothership.Ci.Releases;

/// <summary>
/// Gathers a release's notes: the pull requests merged in a git range (<see cref="MergeCommits"/>),
/// each read from a source (GitHub, or the server's store) and turned into a note by Prow's rules
/// (<see cref="ReleaseNotes"/>): the text of its <c>```release-note</c> block, its kinds from
/// <c>kind/*</c> labels, action required from <c>release-note-action-required</c> (or the text
/// saying so), left out when its note is none, missing or it carries <c>release-note-none</c>.
/// </summary>
public static class ReleaseNoteGatherer
{
    /// <summary>Pull requests read at once from the source.</summary>
    public const int Parallelism = 8;

    /// <summary>The notes of the pull requests merged in <paramref name="from"/>..<paramref name="to"/> of the repository at <paramref name="repositoryPath"/>.</summary>
    public static async Task<GatheredReleaseNotes> GatherAsync(
        string repositoryPath, string from, string to, RepositoryName repository, IPullRequestSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var merged = MergeCommits.InRange(repositoryPath, from, to);
        return await GatherAsync(merged, repository, source, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The notes of <paramref name="merged"/>, read from <paramref name="source"/> (at most <see cref="Parallelism"/> at once).</summary>
    public static async Task<GatheredReleaseNotes> GatherAsync(
        IReadOnlyList<MergedPullRequest> merged, RepositoryName repository, IPullRequestSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(merged);
        ArgumentNullException.ThrowIfNull(source);
        var found = new PullRequestRecord?[merged.Count];
        await Parallel.ForAsync(0, merged.Count, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (i, ct) =>
            found[i] = await source.GetAsync(repository, merged[i].Number, ct).ConfigureAwait(false)).ConfigureAwait(false);
        return new GatheredReleaseNotes(
            [.. found.OfType<PullRequestRecord>().Select(NoteFor)],
            [.. merged.Where((_, i) => found[i] is null).Select(m => m.Number)]);
    }

    /// <summary>A pull request's note by Prow's rules (see the type).</summary>
    public static ReleaseNote NoteFor(PullRequestRecord pullRequest)
    {
        ArgumentNullException.ThrowIfNull(pullRequest);
        var text = ReleaseNotes.Extract(pullRequest.Body);
        var label = ReleaseNotes.LabelFor(pullRequest.Body, pullRequest.Labels.ToList());
        return new ReleaseNote
        {
            Markdown = text,
            PullRequest = pullRequest.Number,
            Author = pullRequest.Author,
            Kinds = ReleaseNoteKinds.FromLabels(pullRequest.Labels),
            ActionRequired = pullRequest.Labels.Contains(ReleaseNotes.ActionRequiredLabel, StringComparer.Ordinal) || label == ReleaseNotes.ActionRequiredLabel,
            DoNotPublish = text.Length == 0 || ReleaseNotes.IsNone(text) || pullRequest.Labels.Contains(ReleaseNotes.NoneLabel, StringComparer.Ordinal),
        };
    }
}
