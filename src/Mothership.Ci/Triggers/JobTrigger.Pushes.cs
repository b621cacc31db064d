using System.Text.Json.Nodes;
using Mothership.Ci.Forge;
using Mothership.Store;

namespace Mothership.Ci.Triggers;

public sealed partial class JobTrigger
{
    private const string Branches = "refs/heads/";
    private const string Tags = "refs/tags/";

    private async Task<string> PushAsync(WebhookDelivery delivery, JsonObject root, CancellationToken cancellationToken)
    {
        if (root["deleted"] is JsonValue d && d.TryGetValue<bool>(out var deleted) && deleted)
        {
            return "a deleted ref: nothing to run";
        }

        var gitRef = PullRequestEvent.Text(root["ref"], "ref");
        var branch = gitRef.StartsWith(Branches, StringComparison.Ordinal) ? gitRef[Branches.Length..]
            : gitRef.StartsWith(Tags, StringComparison.Ordinal) ? gitRef[Tags.Length..]
            : gitRef;
        var orgRepo = PullRequestEvent.Text(root["repository"]?["full_name"], "repository.full_name");
        var pac = PacEnabled(orgRepo);
        if (config.Current.PostsubmitsFor(orgRepo).IsEmpty && !pac && !InRepoConfigEnabled(orgRepo))
        {
            return "no postsubmits for " + orgRepo;
        }

        var after = PullRequestEvent.Sha(root["after"], "after");
        // A push is trusted (only those with write access push): .prow.yaml is read at the pushed commit.
        var (postsubmits, inRepoNote) = await PostsubmitsAsync(orgRepo, after, cancellationToken).ConfigureAwait(false);
        var slash = orgRepo.IndexOf('/', StringComparison.Ordinal);
        var refs = new JobRefs(orgRepo[..slash], orgRepo[(slash + 1)..], branch, after,
            PullRequestEvent.Optional(root["repository"]?["clone_url"]) ?? "", PullRequestEvent.Optional(root["repository"]?["html_url"]) ?? "");
        // Prow reads the changes off the push's commits, as GitHub lists them (at most 20 commits).
        var changes = (root["commits"] as JsonArray ?? [])
            .SelectMany(c => new[] { "added", "removed", "modified" }.SelectMany(k => (c?[k] as JsonArray ?? []).Select(f => (Path: PullRequestEvent.Optional(f), Status: k))))
            .Where(f => f.Path is not null).DistinctBy(f => f.Path, StringComparer.Ordinal)
            .Select(f => new ChangedFile(f.Path!, f.Status, null, 0, 0)).ToList();
        var files = changes.Select(f => f.Path).ToList();
        var requests = postsubmits.Where(j => j.ShouldRun(branch, files)).Select(job => new JobRequest
        {
            Type = JobTypes.Postsubmit,
            Job = job,
            Refs = refs,
            RunName = JobRunBuilder.RunName(job.Name, $"{delivery.Id}/{job.Name}/{after}"),
            BuildId = BuildId(),
            Delivery = delivery.Id,
            StatusSha = after,
            Context = job.SkipReport ? null : job.Context,
        }).ToList();
        var pusher = PullRequestEvent.Optional(root["sender"]?["login"]) ?? PullRequestEvent.Optional(root["pusher"]?["name"]) ?? "github";
        var outcomes = new List<string>();
        if (!postsubmits.IsEmpty)
        {
            outcomes.Add(inRepoNote + await starter.StartAllAsync(requests, "ci:" + pusher, cancellationToken).ConfigureAwait(false));
        }
        else if (inRepoNote.Length > 0)
        {
            outcomes.Add(inRepoNote.TrimEnd(' ', ';'));
        }

        if (pac)
        {
            outcomes.Add(await PacPushAsync(root, refs, gitRef, after, changes, delivery, pusher, cancellationToken).ConfigureAwait(false));
        }

        return string.Join("; ", outcomes);
    }
}
