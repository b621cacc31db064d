using System.Text.Json.Nodes;
using Mothership.Ci.Forge;
using Mothership.Ci.Jobs;
using Mothership.Ci.Reporting;
using Mothership.Store;

namespace Mothership.Ci.Triggers;

public sealed partial class JobTrigger
{
    /// <summary>Prow's greeting to an outsider's pull request (trigger plugin, <c>welcomeMsg</c>).</summary>
    internal static string Greeting(string author, string org, string orgRepo, TriggerPolicy policy)
    {
        var encoded = Uri.EscapeDataString(orgRepo);
        if (policy.IgnoreOkToTest)
        {
            return $"Hi @{author}. Thanks for your PR.\n\nPRs from untrusted users cannot be marked as trusted with `/ok-to-test` in this repo meaning untrusted PR authors can never trigger tests themselves. Collaborators can still trigger tests on the PR using `/test all`.\n\nI understand the commands that are listed [here](https://go.k8s.io/bot-commands?repo={encoded}).\n";
        }

        var more = policy.TrustedOrg is { } trusted && trusted != org ? $"or [{trusted}](https://github.com/orgs/{trusted}/people) " : "";
        var join = policy.JoinOrgUrl ?? $"https://github.com/orgs/{org}/people";
        return $"Hi @{author}. Thanks for your PR.\n\nI'm waiting for a [{org}](https://github.com/orgs/{org}/people) {more}member to verify that this patch is reasonable to test. If it is, they should reply with `/ok-to-test` on its own line. Until that is done, I will not automatically test new commits in this PR, but the usual testing commands by org members will still work. Regular contributors should [join the org]({join}) to skip this step.\n\nOnce the patch is verified, the new status will be reflected by the `{OkToTest}` label.\n\nI understand the commands that are listed [here](https://go.k8s.io/bot-commands?repo={encoded}).\n";
    }

    private async Task<string> PullRequestAsync(WebhookDelivery delivery, JsonObject root, CancellationToken cancellationToken)
    {
        var action = PullRequestEvent.Optional(root["action"]);
        var pr = PullRequestEvent.Read(root["pull_request"]);
        var repository = RepositoryName.Parse(pr.Repository);
        var actor = "ci:" + (PullRequestEvent.Optional(root["sender"]?["login"]) ?? pr.Author);
        switch (action)
        {
            case "closed":
                var closed = await AbortAsync(pr.Repository, pr.Number, null, null, AbortedByTrigger, actor, cancellationToken).ConfigureAwait(false);
                return $"closed: {closed} run(s) aborted";
            case "opened" or "reopened" or "ready_for_review" or "synchronize":
                break;
            case "labeled" when PacEnabled(pr.Repository):
                // Only PaC's on-label acts on a label; Prow's trigger does not.
                break;
            default:
                return $"nothing to do on {action}";
        }

        var note = "";
        if (action == "synchronize")
        {
            var superseded = await AbortAsync(pr.Repository, pr.Number, pr.HeadSha, null, AbortedByTrigger, actor, cancellationToken).ConfigureAwait(false);
            note = superseded > 0 ? $"{superseded} superseded run(s) aborted; " : "";
        }

        if (!pr.Open || pr.Draft)
        {
            return note + (pr.Draft ? "draft: nothing started" : "closed: nothing started");
        }

        if (pr.Mergeable == false)
        {
            return note + "merge conflicts: nothing started";
        }

        var central = config.Current.PresubmitsFor(pr.Repository);
        var pac = PacEnabled(pr.Repository);
        if (central.IsEmpty && !pac && !InRepoConfigEnabled(pr.Repository))
        {
            return note + "no presubmits for " + pr.Repository;
        }

        var policy = config.PolicyFor(pr.Repository);
        if (!await TrustedUserAsync(pr.Author, repository, policy, cancellationToken).ConfigureAwait(false))
        {
            var vouched = pr.Labels.Contains(OkToTest) && !policy.IgnoreOkToTest;
            if (vouched && action == "synchronize" && !policy.OkToTestPersists)
            {
                // Trust was given to the commit a member read, not to whatever the author pushes next.
                await forge.RemoveLabelAsync(repository, pr.Number, OkToTest, cancellationToken).ConfigureAwait(false);
                await forge.AddLabelsAsync(repository, pr.Number, [NeedsOkToTest], cancellationToken).ConfigureAwait(false);
                return note + "new commits from an untrusted author: ok-to-test taken off, waiting for /ok-to-test";
            }

            if (!vouched)
            {
                if (action == "opened" && !pr.Labels.Contains(NeedsOkToTest))
                {
                    if (!policy.IgnoreOkToTest)
                    {
                        await forge.AddLabelsAsync(repository, pr.Number, [NeedsOkToTest], cancellationToken).ConfigureAwait(false);
                    }

                    await forge.CreateCommentAsync(repository, pr.Number, Greeting(pr.Author, repository.Owner, pr.Repository, policy), cancellationToken).ConfigureAwait(false);
                }

                return note + "untrusted author: waiting for /ok-to-test";
            }
        }

        var outcomes = new List<string>();
        if (action != "labeled")
        {
            // Trusted here: the author is, or a member vouched for this commit.
            var (presubmits, inRepoNote) = await PresubmitsAsync(pr, trusted: true, cancellationToken).ConfigureAwait(false);
            if (!presubmits.IsEmpty)
            {
                outcomes.Add(inRepoNote + await TestAllAsync(pr, presubmits, delivery.Id, delivery.Id, actor, cancellationToken).ConfigureAwait(false));
            }
            else if (inRepoNote.Length > 0)
            {
                outcomes.Add(inRepoNote.TrimEnd(' ', ';'));
            }
        }

        if (pac)
        {
            // Trusted here: the author is, or a member vouched for this commit.
            outcomes.Add(await PacPullRequestAsync(pr, root, action, trusted: true, delivery, actor, cancellationToken).ConfigureAwait(false));
        }

        return note + string.Join("; ", outcomes);
    }

    /// <summary>
    /// Starts what <c>/test all</c> would (the jobs that run on their own for these changes) and
    /// reports the required path-filtered jobs that do not apply as succeeded.
    /// </summary>
    private async Task<string> TestAllAsync(PullRequestEvent pr, IReadOnlyList<Presubmit> presubmits, string key, string? delivery, string actor, CancellationToken cancellationToken)
    {
        var files = await ChangedFilesAsync(pr, presubmits, cancellationToken).ConfigureAwait(false);
        var requests = new List<JobRequest>();
        var skipped = new List<Presubmit>();
        foreach (var job in presubmits)
        {
            if (!job.NeedsExplicitTrigger && job.ShouldRun(pr.BaseRef, files, forced: false, defaults: false))
            {
                requests.Add(Presubmit(job, pr, key, delivery));
            }
            else if (job.ContextRequired && job.Changes.CouldRun && job.CouldRun(pr.BaseRef))
            {
                skipped.Add(job);
            }
        }

        var outcome = await starter.StartAllAsync(requests, actor, cancellationToken).ConfigureAwait(false);
        await ReportSkippedAsync(pr, skipped, cancellationToken).ConfigureAwait(false);
        return skipped.Count == 0 ? outcome : $"{outcome}; skipped {string.Join(", ", skipped.Select(j => j.Name))} (no matching changes)";
    }

    /// <summary>Required jobs whose paths did not change pass, so a branch protection that requires them does not wait forever.</summary>
    private async Task ReportSkippedAsync(PullRequestEvent pr, IReadOnlyList<Presubmit> skipped, CancellationToken cancellationToken)
    {
        if (skipped.Count == 0)
        {
            return;
        }

        var repository = RepositoryName.Parse(pr.Repository);
        var ran = (await store.ListJobResultsAsync(new JobResultQuery { Repository = pr.Repository, Pull = pr.Number, Sha = pr.HeadSha, Limit = 500 }, cancellationToken).ConfigureAwait(false))
            .Select(r => r.Job).ToHashSet(StringComparer.Ordinal);
        foreach (var job in skipped.Where(j => !ran.Contains(j.Name)))
        {
            await forge.CreateStatusAsync(repository, pr.HeadSha, JobStates.CommitStateOf(JobStates.Success), job.Context, SkippedNoChanges, null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The pull request's changed files, read from the forge only when a job's paths decide.</summary>
    private async Task<IReadOnlyList<string>> ChangedFilesAsync(PullRequestEvent pr, IReadOnlyList<Presubmit> presubmits, CancellationToken cancellationToken)
    {
        if (!presubmits.Any(j => j.Changes.CouldRun))
        {
            return [];
        }

        var files = await forge.ListPullRequestFilesAsync(RepositoryName.Parse(pr.Repository), pr.Number, cancellationToken).ConfigureAwait(false);
        return [.. files.SelectMany(f => f.PreviousPath is { } previous ? new[] { f.Path, previous } : [f.Path])];
    }
}
