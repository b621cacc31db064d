using System.Text.Json.Nodes;

namespace Mothership.Ci.Triggers;

/// <summary>
/// Prow's job environment (its <c>downwardapi</c>): <c>JOB_NAME</c>, <c>JOB_TYPE</c>,
/// <c>JOB_SPEC</c> (the JSON of the job's type, name, build and refs), <c>BUILD_ID</c>,
/// <c>PROW_JOB_ID</c>, <c>CI</c>, and from the refs <c>REPO_OWNER</c>, <c>REPO_NAME</c>,
/// <c>PULL_BASE_REF</c>, <c>PULL_BASE_SHA</c>, <c>PULL_REFS</c>, and for a pull request
/// <c>PULL_NUMBER</c>, <c>PULL_PULL_SHA</c>, <c>PULL_HEAD_REF</c>, <c>PULL_TITLE</c>.
/// </summary>
public static class JobEnvironment
{
    /// <summary>The variables in Prow's order; <paramref name="refs"/> is null for a periodic without repository.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Variables(string type, string job, string buildId, string prowJobId, JobRefs? refs)
    {
        var env = new List<KeyValuePair<string, string>>
        {
            new("CI", "true"),
            new("JOB_NAME", job),
            new("JOB_TYPE", type),
            new("JOB_SPEC", Spec(type, job, buildId, prowJobId, refs)),
            new("BUILD_ID", buildId),
            new("PROW_JOB_ID", prowJobId),
        };
        if (refs is null)
        {
            return env;
        }

        env.Add(new("REPO_OWNER", refs.Org));
        env.Add(new("REPO_NAME", refs.Repo));
        env.Add(new("PULL_BASE_REF", refs.BaseRef));
        env.Add(new("PULL_BASE_SHA", refs.BaseSha));
        env.Add(new("PULL_REFS", refs.PullRefs));
        // Prow's EnvForSpec: a batch tests several pull requests, so it gets their refs and no single one's fields.
        if (type != JobTypes.Batch && refs.Pulls is [var pull, ..])
        {
            env.Add(new("PULL_NUMBER", pull.Number.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            env.Add(new("PULL_PULL_SHA", pull.Sha));
            env.Add(new("PULL_HEAD_REF", pull.HeadRef));
            env.Add(new("PULL_TITLE", pull.Title));
        }

        return env;
    }

    /// <summary><c>JOB_SPEC</c>: Prow's <c>JobSpec</c> JSON, with its field names.</summary>
    public static string Spec(string type, string job, string buildId, string prowJobId, JobRefs? refs)
    {
        var spec = new JsonObject { ["type"] = type, ["job"] = job, ["buildid"] = buildId, ["prowjobid"] = prowJobId };
        if (refs is not null)
        {
            var node = new JsonObject
            {
                ["org"] = refs.Org,
                ["repo"] = refs.Repo,
                ["repo_link"] = refs.RepoLink,
                ["base_ref"] = refs.BaseRef,
                ["base_sha"] = refs.BaseSha,
            };
            if (refs.BaseSha.Length > 0)
            {
                node["base_link"] = $"{refs.RepoLink}/commit/{refs.BaseSha}";
            }

            if (!refs.Pulls.IsEmpty)
            {
                var host = RepoHost(refs.RepoLink);
                node["pulls"] = new JsonArray([.. refs.Pulls.Select(p => (JsonNode)new JsonObject
                {
                    ["number"] = p.Number,
                    ["author"] = p.Author,
                    ["sha"] = p.Sha,
                    ["title"] = p.Title,
                    ["head_ref"] = p.HeadRef,
                    ["link"] = $"{refs.RepoLink}/pull/{p.Number}",
                    ["commit_link"] = $"{refs.RepoLink}/pull/{p.Number}/commits/{p.Sha}",
                    ["author_link"] = $"{host}/{p.Author}",
                })]);
            }

            spec["refs"] = node;
        }

        return spec.ToJsonString();
    }

    /// <summary><c>https://github.com</c> of <c>https://github.com/org/repo</c>.</summary>
    private static string RepoHost(string repoLink) =>
        Uri.TryCreate(repoLink, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : repoLink;
}
