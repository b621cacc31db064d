using System.Net;
using System.Text.Json.Nodes;
using Mothership.Ci.Forge;
using Mothership.Ci.Releases;
using Mothership.Cli.Client;
using Mothership.Store;

namespace Mothership.Cli.Commands.Releases;

/// <summary>Pull requests as a Mothership server recorded them from webhooks: <c>GET /api/v1/pullrequests/{owner}/{repo}/{number}</c>.</summary>
internal sealed class ServerPullRequestSource(ApiClient client) : IPullRequestSource
{
    public async Task<PullRequestRecord?> GetAsync(RepositoryName repository, int number, CancellationToken cancellationToken)
    {
        JsonNode pr;
        try
        {
            pr = await client.GetAsync(
                $"api/v1/pullrequests/{Uri.EscapeDataString(repository.Owner)}/{Uri.EscapeDataString(repository.Name)}/{number}", cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return null;
        }

        return new PullRequestRecord
        {
            Repository = (string?)pr["repository"] ?? repository.ToString(),
            Number = number,
            Title = (string?)pr["title"] ?? "",
            Body = (string?)pr["body"] ?? "",
            Author = (string?)pr["author"] ?? "",
            Labels = [.. (pr["labels"] as JsonArray ?? []).Select(l => (string?)l).OfType<string>()],
            MergeCommitSha = (string?)pr["mergeCommitSha"],
        };
    }
}
