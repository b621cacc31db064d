using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Mothership.Testing.GitHub;

/// <summary>
/// GitHub's REST v3 objects, key for key as recorded in octokit/fixtures (statuses, labels,
/// issues, contents, errors) and in octokit/webhooks (pull requests, comments): the same field
/// names, nesting and nulls, with URLs on the fake's address.
/// </summary>
/// <param name="Api">The API root, <c>http://127.0.0.1:PORT/api/v3/</c> or without <c>api/v3/</c>.</param>
/// <param name="Html">The web root, <c>http://127.0.0.1:PORT/</c>.</param>
/// <param name="UserId">The id of a login (stable within one fake).</param>
internal sealed record GitHubJson(string Api, string Html, Func<string, long> UserId)
{
    public const string NodeId = "MDA6RW50aXR5MQ==";

    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static JsonObject Error(string message, string documentationUrl = "https://docs.github.com/rest") =>
        new() { ["message"] = message, ["documentation_url"] = documentationUrl };

    public JsonObject User(string login, string type = "User")
    {
        var id = UserId(login);
        var url = $"{Api}users/{login}";
        return new JsonObject
        {
            ["login"] = login,
            ["id"] = id,
            ["node_id"] = NodeId,
            ["avatar_url"] = $"{Html}avatars/u/{id}?v=4",
            ["gravatar_id"] = "",
            ["url"] = url,
            ["html_url"] = $"{Html}{login}",
            ["followers_url"] = $"{url}/followers",
            ["following_url"] = url + "/following{/other_user}",
            ["gists_url"] = url + "/gists{/gist_id}",
            ["starred_url"] = url + "/starred{/owner}{/repo}",
            ["subscriptions_url"] = $"{url}/subscriptions",
            ["organizations_url"] = $"{url}/orgs",
            ["repos_url"] = $"{url}/repos",
            ["events_url"] = url + "/events{/privacy}",
            ["received_events_url"] = $"{url}/received_events",
            ["type"] = type,
            ["site_admin"] = false,
        };
    }

    /// <summary>The short repository of a combined status; <paramref name="full"/> adds what a pull request's head and base carry.</summary>
    public JsonObject Repository(FakeRepository repo, bool full = false)
    {
        var url = $"{Api}repos/{repo.FullName}";
        var o = new JsonObject
        {
            ["id"] = repo.Id,
            ["node_id"] = NodeId,
            ["name"] = repo.Name,
            ["full_name"] = repo.FullName,
            ["private"] = false,
            ["owner"] = User(repo.Owner, "Organization"),
            ["html_url"] = $"{Html}{repo.FullName}",
            ["description"] = null,
            ["fork"] = false,
            ["url"] = url,
        };
        foreach (var (key, tail) in RepositoryUrls)
        {
            o[key] = url + tail;
        }

        if (full)
        {
            o["created_at"] = "2017-10-10T16:00:00Z";
            o["updated_at"] = "2017-10-10T16:00:00Z";
            o["pushed_at"] = "2017-10-10T16:00:00Z";
            o["git_url"] = $"git://{new Uri(Html).Authority}/{repo.FullName}.git";
            o["ssh_url"] = $"git@{new Uri(Html).Host}:{repo.FullName}.git";
            o["clone_url"] = $"{Html}{repo.FullName}.git";
            o["svn_url"] = $"{Html}{repo.FullName}";
            o["homepage"] = null;
            o["size"] = 0;
            o["stargazers_count"] = 0;
            o["watchers_count"] = 0;
            o["language"] = null;
            o["has_issues"] = true;
            o["has_projects"] = true;
            o["has_downloads"] = true;
            o["has_wiki"] = true;
            o["has_pages"] = false;
            o["forks_count"] = 0;
            o["mirror_url"] = null;
            o["archived"] = false;
            o["disabled"] = false;
            o["open_issues_count"] = repo.Issues.Values.Count(i => !i.Closed);
            o["license"] = null;
            o["forks"] = 0;
            o["open_issues"] = repo.Issues.Values.Count(i => !i.Closed);
            o["watchers"] = 0;
            o["default_branch"] = repo.DefaultBranch;
            o["is_template"] = false;
            o["topics"] = new JsonArray();
            o["visibility"] = "public";
            o["web_commit_signoff_required"] = false;
            o["custom_properties"] = new JsonObject();
        }

        return o;
    }

    /// <summary>A git ref (<c>refs/heads/NAME</c>) and the commit it points at.</summary>
    public JsonObject Ref(FakeRepository repo, string name, string sha) => new()
    {
        ["ref"] = name,
        ["node_id"] = NodeId,
        ["url"] = $"{Api}repos/{repo.FullName}/git/{name}",
        ["object"] = new JsonObject
        {
            ["sha"] = sha,
            ["type"] = "commit",
            ["url"] = $"{Api}repos/{repo.FullName}/git/commits/{sha}",
        },
    };

    public JsonObject Label(FakeRepository repo, FakeLabel label) => new()
    {
        ["id"] = label.Id,
        ["node_id"] = NodeId,
        ["url"] = $"{Api}repos/{repo.FullName}/labels/{Uri.EscapeDataString(label.Name)}",
        ["name"] = label.Name,
        ["color"] = label.Color,
        ["default"] = label.Default,
        ["description"] = label.Description,
    };

    public JsonObject Status(FakeRepository repo, FakeStatus s, bool withCreator)
    {
        var o = new JsonObject
        {
            ["url"] = $"{Api}repos/{repo.FullName}/statuses/{s.Sha}",
            ["avatar_url"] = $"{Html}avatars/u/{UserId(s.Creator)}?v=4",
            ["id"] = s.Id,
            ["node_id"] = NodeId,
            ["state"] = s.State,
            ["description"] = s.Description,
            ["target_url"] = s.TargetUrl,
            ["context"] = s.Context,
            ["created_at"] = Time(s.CreatedAt),
            ["updated_at"] = Time(s.CreatedAt),
        };
        if (withCreator)
        {
            o["creator"] = User(s.Creator);
        }

        return o;
    }

    public JsonObject CombinedStatus(FakeRepository repo, string gitRef, string sha, IReadOnlyList<FakeStatus> latest)
    {
        // GitHub's rule: failure if any is failure or error, pending if any is pending or there are none.
        var state = latest.Any(s => s.State is "failure" or "error") ? "failure"
            : latest.Count == 0 || latest.Any(s => s.State == "pending") ? "pending"
            : "success";
        return new JsonObject
        {
            ["state"] = state,
            ["statuses"] = new JsonArray([.. latest.Select(s => (JsonNode)Status(repo, s, withCreator: false))]),
            ["sha"] = sha,
            ["total_count"] = latest.Count,
            ["repository"] = Repository(repo),
            ["commit_url"] = $"{Api}repos/{repo.FullName}/commits/{sha}",
            ["url"] = $"{Api}repos/{repo.FullName}/commits/{gitRef}/status",
        };
    }

    /// <summary>A GitHub App as it shows in a check run (<c>app</c>).</summary>
    public JsonObject App(FakeGitHubApp app) => new()
    {
        ["id"] = app.AppId,
        ["slug"] = app.Slug,
        ["node_id"] = NodeId,
        ["owner"] = User(app.Slug + "-owner", "Organization"),
        ["name"] = app.Slug,
        ["description"] = "",
        ["external_url"] = Html,
        ["html_url"] = $"{Html}apps/{app.Slug}",
        ["created_at"] = "2019-04-19T19:36:24Z",
        ["updated_at"] = "2019-04-19T19:36:56Z",
        ["permissions"] = new JsonObject { ["checks"] = "write", ["metadata"] = "read", ["pull_requests"] = "write", ["statuses"] = "write" },
        ["events"] = new JsonArray(),
    };

    /// <summary>An installation (GET /repos/…/installation, /orgs/…/installation): the docs' shape.</summary>
    public JsonObject Installation(FakeGitHubApp app, long id, string account, bool organization) => new()
    {
        ["id"] = id,
        ["account"] = User(account, organization ? "Organization" : "User"),
        ["repository_selection"] = "all",
        ["access_tokens_url"] = $"{Api}app/installations/{id}/access_tokens",
        ["repositories_url"] = $"{Api}installation/repositories",
        ["html_url"] = $"{Html}organizations/{account}/settings/installations/{id}",
        ["app_id"] = app.AppId,
        ["app_slug"] = app.Slug,
        ["target_id"] = UserId(account),
        ["target_type"] = organization ? "Organization" : "User",
        ["permissions"] = new JsonObject { ["checks"] = "write", ["metadata"] = "read", ["pull_requests"] = "write", ["statuses"] = "write" },
        ["events"] = new JsonArray("pull_request", "push", "issue_comment"),
        ["created_at"] = "2018-02-09T20:51:14Z",
        ["updated_at"] = "2018-02-09T20:51:14Z",
        ["single_file_name"] = null,
        ["has_multiple_single_files"] = false,
        ["single_file_paths"] = new JsonArray(),
        ["suspended_by"] = null,
        ["suspended_at"] = null,
    };

    /// <summary>A minted installation token (POST /app/installations/ID/access_tokens).</summary>
    public static JsonObject AccessToken(FakeInstallationToken token) => new()
    {
        ["token"] = token.Token,
        ["expires_at"] = Time(token.ExpiresAt),
        ["permissions"] = new JsonObject { ["checks"] = "write", ["metadata"] = "read", ["pull_requests"] = "write", ["statuses"] = "write" },
        ["repository_selection"] = "all",
    };

    /// <summary>A check run, key for key as the check_run webhook payloads carry it.</summary>
    public JsonObject CheckRun(FakeRepository repo, FakeGitHubApp app, FakeCheckRun run)
    {
        var url = $"{Api}repos/{repo.FullName}/check-runs/{run.Id}";
        return new JsonObject
        {
            ["id"] = run.Id,
            ["node_id"] = NodeId,
            ["head_sha"] = run.HeadSha,
            ["external_id"] = run.ExternalId ?? "",
            ["url"] = url,
            ["html_url"] = $"{Html}{repo.FullName}/runs/{run.Id}",
            ["details_url"] = run.DetailsUrl ?? Html,
            ["status"] = run.Status,
            ["conclusion"] = run.Conclusion,
            ["started_at"] = Time(run.StartedAt),
            ["completed_at"] = run.CompletedAt is { } done ? Time(done) : null,
            ["output"] = new JsonObject
            {
                ["title"] = run.Title,
                ["summary"] = run.Summary,
                ["text"] = run.Text,
                ["annotations_count"] = run.Annotations.Count,
                ["annotations_url"] = $"{url}/annotations",
            },
            ["name"] = run.Name,
            ["check_suite"] = new JsonObject { ["id"] = run.Id + 1_000_000 },
            ["app"] = App(app),
            ["pull_requests"] = new JsonArray([.. repo.Issues.Values.Where(i => i.IsPullRequest && i.HeadSha == run.HeadSha && !i.Closed).Select(pr => (JsonNode)new JsonObject
            {
                ["url"] = $"{Api}repos/{repo.FullName}/pulls/{pr.Number}",
                ["id"] = pr.Id,
                ["number"] = pr.Number,
                ["head"] = new JsonObject { ["ref"] = pr.HeadRef, ["sha"] = pr.HeadSha, ["repo"] = new JsonObject { ["id"] = repo.Id, ["url"] = $"{Api}repos/{repo.FullName}", ["name"] = repo.Name } },
                ["base"] = new JsonObject { ["ref"] = pr.BaseRef, ["sha"] = pr.BaseSha, ["repo"] = new JsonObject { ["id"] = repo.Id, ["url"] = $"{Api}repos/{repo.FullName}", ["name"] = repo.Name } },
            })]),
        };
    }

    /// <summary>An issue; <paramref name="single"/> (one issue read or created, not a list item) adds <c>closed_by</c> as GitHub does.</summary>
    public JsonObject Issue(FakeRepository repo, FakeIssue issue, int comments, bool single = false)
    {
        var url = $"{Api}repos/{repo.FullName}/issues/{issue.Number}";
        var o = new JsonObject
        {
            ["url"] = url,
            ["repository_url"] = $"{Api}repos/{repo.FullName}",
            ["labels_url"] = url + "/labels{/name}",
            ["comments_url"] = $"{url}/comments",
            ["events_url"] = $"{url}/events",
            ["html_url"] = $"{Html}{repo.FullName}/{(issue.IsPullRequest ? "pull" : "issues")}/{issue.Number}",
            ["id"] = issue.Id,
            ["node_id"] = NodeId,
            ["number"] = issue.Number,
            ["title"] = issue.Title,
            ["user"] = User(issue.Author),
            ["labels"] = LabelsOf(repo, issue),
            ["state"] = issue.Closed ? "closed" : "open",
            ["locked"] = false,
            ["assignee"] = issue.Assignees.Count == 0 ? null : User(issue.Assignees[0]),
            ["assignees"] = Users(issue.Assignees),
            ["milestone"] = null,
            ["comments"] = comments,
            ["created_at"] = Time(issue.CreatedAt),
            ["updated_at"] = Time(issue.UpdatedAt),
            ["closed_at"] = issue.Closed ? Time(issue.UpdatedAt) : null,
            ["author_association"] = "MEMBER",
            ["active_lock_reason"] = null,
        };
        if (issue.IsPullRequest)
        {
            o["draft"] = issue.Draft;
            o["pull_request"] = new JsonObject
            {
                ["url"] = $"{Api}repos/{repo.FullName}/pulls/{issue.Number}",
                ["html_url"] = $"{Html}{repo.FullName}/pull/{issue.Number}",
                ["diff_url"] = $"{Html}{repo.FullName}/pull/{issue.Number}.diff",
                ["patch_url"] = $"{Html}{repo.FullName}/pull/{issue.Number}.patch",
                ["merged_at"] = issue.Merged ? Time(issue.UpdatedAt) : null,
            };
        }

        o["body"] = issue.Body;
        if (single)
        {
            o["closed_by"] = null;
        }

        o["reactions"] = Reactions(url + "/reactions");
        o["timeline_url"] = $"{url}/timeline";
        o["performed_via_github_app"] = null;
        o["state_reason"] = issue.Closed ? "completed" : null;
        return o;
    }

    public JsonArray Users(IEnumerable<string> logins) => new([.. logins.Select(l => (JsonNode)User(l))]);

    /// <summary>A team as <c>requested_teams</c> lists it; <paramref name="orgTeam"/> is <c>org/slug</c>.</summary>
    public JsonObject Team(string orgTeam)
    {
        var (org, slug) = (orgTeam[..orgTeam.IndexOf('/', StringComparison.Ordinal)], orgTeam[(orgTeam.IndexOf('/', StringComparison.Ordinal) + 1)..]);
        var id = UserId(orgTeam);
        return new JsonObject
        {
            ["name"] = slug,
            ["id"] = id,
            ["node_id"] = NodeId,
            ["slug"] = slug,
            ["description"] = null,
            ["privacy"] = "closed",
            ["notification_setting"] = "notifications_enabled",
            ["url"] = $"{Api}organizations/{UserId(org)}/team/{id}",
            ["html_url"] = $"{Html}orgs/{org}/teams/{slug}",
            ["members_url"] = $"{Api}organizations/{UserId(org)}/team/{id}/members" + "{/member}",
            ["repositories_url"] = $"{Api}organizations/{UserId(org)}/team/{id}/repos",
            ["permission"] = "pull",
            ["parent"] = null,
        };
    }

    /// <summary>A git commit (<c>GET /repos/{owner}/{repo}/git/commits/{sha}</c>).</summary>
    public JsonObject GitCommit(FakeRepository repo, string sha, string tree, DateTimeOffset date)
    {
        var person = new JsonObject { ["name"] = "Monalisa Octocat", ["email"] = "mona@github.com", ["date"] = Time(date) };
        return new JsonObject
        {
            ["sha"] = sha,
            ["node_id"] = NodeId,
            ["url"] = $"{Api}repos/{repo.FullName}/git/commits/{sha}",
            ["html_url"] = $"{Html}{repo.FullName}/commit/{sha}",
            ["author"] = person,
            ["committer"] = person.DeepClone(),
            ["tree"] = new JsonObject { ["sha"] = tree, ["url"] = $"{Api}repos/{repo.FullName}/git/trees/{tree}" },
            ["message"] = "Commit " + sha[..Math.Min(7, sha.Length)],
            ["parents"] = new JsonArray(),
            ["verification"] = new JsonObject { ["verified"] = false, ["reason"] = "unsigned", ["signature"] = null, ["payload"] = null, ["verified_at"] = null },
        };
    }

    /// <summary>The answer to <c>PUT /repos/{o}/{r}/contents/{path}</c>: the file written and the commit made (recorded in <c>create-file.json</c>).</summary>
    public JsonObject FileCommit(FakeRepository repo, FakeCommit commit, byte[] content, DateTimeOffset date)
    {
        var file = Content(repo, commit.Branch, commit.Path, content, withContent: false);
        file.Remove("_links");
        file["_links"] = new JsonObject { ["self"] = file["url"]!.DeepClone(), ["git"] = file["git_url"]!.DeepClone(), ["html"] = file["html_url"]!.DeepClone() };
        var person = new JsonObject { ["name"] = commit.Author, ["email"] = $"{UserId(commit.Author)}+{commit.Author}@users.noreply.github.com", ["date"] = Time(date) };
        return new JsonObject
        {
            ["content"] = file,
            ["commit"] = new JsonObject
            {
                ["sha"] = commit.Sha,
                ["node_id"] = NodeId,
                ["url"] = $"{Api}repos/{repo.FullName}/git/commits/{commit.Sha}",
                ["html_url"] = $"{Html}{repo.FullName}/commit/{commit.Sha}",
                ["author"] = person,
                ["committer"] = person.DeepClone(),
                ["tree"] = new JsonObject { ["sha"] = commit.Sha, ["url"] = $"{Api}repos/{repo.FullName}/git/trees/{commit.Sha}" },
                ["message"] = commit.Message,
                ["parents"] = commit.Parent is null ? new JsonArray() : new JsonArray(new JsonObject
                {
                    ["sha"] = commit.Parent,
                    ["url"] = $"{Api}repos/{repo.FullName}/git/commits/{commit.Parent}",
                    ["html_url"] = $"{Html}{repo.FullName}/commit/{commit.Parent}",
                }),
                ["verification"] = new JsonObject { ["verified"] = false, ["reason"] = "unsigned", ["signature"] = null, ["payload"] = null },
            },
        };
    }

    /// <summary>A release (recorded in <c>release-assets.json</c>).</summary>
    public JsonObject Release(FakeRepository repo, FakeRelease r)
    {
        var url = $"{Api}repos/{repo.FullName}/releases/{r.Id}";
        return new JsonObject
        {
            ["url"] = url,
            ["assets_url"] = url + "/assets",
            ["upload_url"] = $"{Html}uploads/repos/{repo.FullName}/releases/{r.Id}/assets" + "{?name,label}",
            ["html_url"] = $"{Html}{repo.FullName}/releases/tag/{r.Tag}",
            ["id"] = r.Id,
            ["author"] = User(r.Author),
            ["node_id"] = NodeId,
            ["tag_name"] = r.Tag,
            ["target_commitish"] = r.Target,
            ["name"] = r.Name,
            ["draft"] = false,
            ["prerelease"] = false,
            ["created_at"] = Time(r.CreatedAt),
            ["published_at"] = Time(r.CreatedAt),
            ["assets"] = new JsonArray(),
            ["tarball_url"] = $"{Api}repos/{repo.FullName}/tarball/{r.Tag}",
            ["zipball_url"] = $"{Api}repos/{repo.FullName}/zipball/{r.Tag}",
            ["body"] = r.Body,
        };
    }

    public JsonArray LabelsOf(FakeRepository repo, FakeIssue issue) =>
        new([.. issue.LabelNames
            .Select(n => repo.Labels.FirstOrDefault(l => string.Equals(l.Name, n, StringComparison.OrdinalIgnoreCase)))
            .OfType<FakeLabel>()
            .Select(l => (JsonNode)Label(repo, l))]);

    /// <summary>A pull request review, as <c>GET /repos/{o}/{r}/pulls/{n}/reviews</c> lists it.</summary>
    public JsonObject Review(FakeRepository repo, FakeReview r)
    {
        var html = $"{Html}{repo.FullName}/pull/{r.PullNumber}#pullrequestreview-{r.Id}";
        var pull = $"{Api}repos/{repo.FullName}/pulls/{r.PullNumber}";
        return new JsonObject
        {
            ["id"] = r.Id,
            ["node_id"] = NodeId,
            ["user"] = User(r.Author),
            ["body"] = r.Body,
            ["state"] = r.State,
            ["html_url"] = html,
            ["pull_request_url"] = pull,
            ["author_association"] = "COLLABORATOR",
            ["_links"] = new JsonObject { ["html"] = Href(html), ["pull_request"] = Href(pull) },
            ["submitted_at"] = Time(r.SubmittedAt),
            ["commit_id"] = r.CommitId,
        };
    }

    public JsonObject Comment(FakeRepository repo, FakeComment c)
    {
        var url = $"{Api}repos/{repo.FullName}/issues/comments/{c.Id}";
        return new JsonObject
        {
            ["url"] = url,
            ["html_url"] = $"{Html}{repo.FullName}/issues/{c.IssueNumber}#issuecomment-{c.Id}",
            ["issue_url"] = $"{Api}repos/{repo.FullName}/issues/{c.IssueNumber}",
            ["id"] = c.Id,
            ["node_id"] = NodeId,
            ["user"] = User(c.Author),
            ["created_at"] = Time(c.CreatedAt),
            ["updated_at"] = Time(c.UpdatedAt),
            ["author_association"] = "MEMBER",
            ["performed_via_github_app"] = null,
            ["body"] = c.Body,
            ["reactions"] = Reactions(url + "/reactions"),
        };
    }

    /// <summary>A pull request as GitHub serves it alone, or (<paramref name="listed"/>) as its lists serve it, without the fields only the single one has.</summary>
    public JsonObject PullRequest(FakeRepository repo, FakeIssue pr, int comments, bool listed = false)
    {
        var full = PullRequestFull(repo, pr, comments);
        if (listed)
        {
            foreach (var field in (string[])["merged", "mergeable", "rebaseable", "mergeable_state", "merged_by", "comments", "review_comments",
                "maintainer_can_modify", "commits", "additions", "deletions", "changed_files"])
            {
                full.Remove(field);
            }
        }

        return full;
    }

    private JsonObject PullRequestFull(FakeRepository repo, FakeIssue pr, int comments)
    {
        var url = $"{Api}repos/{repo.FullName}/pulls/{pr.Number}";
        var issueUrl = $"{Api}repos/{repo.FullName}/issues/{pr.Number}";
        var html = $"{Html}{repo.FullName}/pull/{pr.Number}";
        var statuses = $"{Api}repos/{repo.FullName}/statuses/{pr.HeadSha}";
        return new JsonObject
        {
            ["url"] = url,
            ["id"] = pr.Id,
            ["node_id"] = NodeId,
            ["html_url"] = html,
            ["diff_url"] = html + ".diff",
            ["patch_url"] = html + ".patch",
            ["issue_url"] = issueUrl,
            ["number"] = pr.Number,
            ["state"] = pr.Closed ? "closed" : "open",
            ["locked"] = false,
            ["title"] = pr.Title,
            ["user"] = User(pr.Author),
            ["body"] = pr.Body,
            ["created_at"] = Time(pr.CreatedAt),
            ["updated_at"] = Time(pr.UpdatedAt),
            ["closed_at"] = pr.Closed ? Time(pr.UpdatedAt) : null,
            ["merged_at"] = pr.Merged ? Time(pr.UpdatedAt) : null,
            ["merge_commit_sha"] = pr.MergeCommitSha ?? (pr.Mergeable == true ? pr.HeadSha : null),
            ["assignee"] = pr.Assignees.Count == 0 ? null : User(pr.Assignees[0]),
            ["assignees"] = Users(pr.Assignees),
            ["requested_reviewers"] = Users(pr.RequestedReviewers.Where(r => !r.Contains('/', StringComparison.Ordinal))),
            ["requested_teams"] = new JsonArray([.. pr.RequestedReviewers.Where(r => r.Contains('/', StringComparison.Ordinal)).Select(t => (JsonNode)Team(t))]),
            ["labels"] = LabelsOf(repo, pr),
            ["milestone"] = null,
            ["commits_url"] = $"{url}/commits",
            ["review_comments_url"] = $"{url}/comments",
            ["review_comment_url"] = $"{Api}repos/{repo.FullName}/pulls/comments" + "{/number}",
            ["comments_url"] = $"{issueUrl}/comments",
            ["statuses_url"] = statuses,
            ["head"] = Branch(repo, pr.HeadRef, pr.HeadSha, pr.Author),
            ["base"] = Branch(repo, pr.BaseRef, pr.BaseSha, repo.Owner),
            ["_links"] = new JsonObject
            {
                ["self"] = Href(url),
                ["html"] = Href(html),
                ["issue"] = Href(issueUrl),
                ["comments"] = Href($"{issueUrl}/comments"),
                ["review_comments"] = Href($"{url}/comments"),
                ["review_comment"] = Href($"{Api}repos/{repo.FullName}/pulls/comments" + "{/number}"),
                ["commits"] = Href($"{url}/commits"),
                ["statuses"] = Href(statuses),
            },
            ["author_association"] = "CONTRIBUTOR",
            ["auto_merge"] = null,
            ["active_lock_reason"] = null,
            ["draft"] = pr.Draft,
            ["merged"] = pr.Merged,
            ["mergeable"] = pr.Mergeable,
            ["rebaseable"] = pr.Mergeable,
            ["mergeable_state"] = pr.Mergeable switch { true => "clean", false => "dirty", null => "unknown" },
            ["merged_by"] = null,
            ["comments"] = comments,
            ["review_comments"] = 0,
            ["maintainer_can_modify"] = false,
            ["commits"] = 1,
            ["additions"] = pr.Files.Sum(f => f.Additions),
            ["deletions"] = pr.Files.Sum(f => f.Deletions),
            ["changed_files"] = pr.Files.Count,
        };
    }

    public JsonObject PullRequestFile(FakeRepository repo, FakeIssue pr, FakePullRequestFile f)
    {
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(Encoding.UTF8.GetBytes(pr.HeadSha + f.Path)));
        var o = new JsonObject
        {
            ["sha"] = sha,
            ["filename"] = f.Path,
            ["status"] = f.Status,
            ["additions"] = f.Additions,
            ["deletions"] = f.Deletions,
            ["changes"] = f.Additions + f.Deletions,
            ["blob_url"] = $"{Html}{repo.FullName}/blob/{pr.HeadSha}/{f.Path}",
            ["raw_url"] = $"{Html}{repo.FullName}/raw/{pr.HeadSha}/{f.Path}",
            ["contents_url"] = $"{Api}repos/{repo.FullName}/contents/{f.Path}?ref={pr.HeadSha}",
            ["patch"] = "@@ -1 +1 @@",
        };
        if (f.PreviousPath is not null)
        {
            o["previous_filename"] = f.PreviousPath;
        }

        return o;
    }

    /// <summary>A contents entry: a file (with <c>content</c> when read alone) or a directory.</summary>
    public JsonObject Content(FakeRepository repo, string gitRef, string path, byte[]? content, bool withContent)
    {
        var name = path.Split('/')[^1];
        var sha = content is null ? new string('0', 40) : Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(content));
        var self = $"{Api}repos/{repo.FullName}/contents/{path}?ref={gitRef}";
        var git = content is null ? $"{Api}repos/{repo.FullName}/git/trees/{sha}" : $"{Api}repos/{repo.FullName}/git/blobs/{sha}";
        var html = $"{Html}{repo.FullName}/{(content is null ? "tree" : "blob")}/{gitRef}/{path}";
        var o = new JsonObject
        {
            ["name"] = name,
            ["path"] = path,
            ["sha"] = sha,
            ["size"] = content?.Length ?? 0,
            ["url"] = self,
            ["html_url"] = html,
            ["git_url"] = git,
            ["download_url"] = content is null ? null : $"{Html}raw/{repo.FullName}/{gitRef}/{path}",
            ["type"] = content is null ? "dir" : "file",
        };
        if (withContent && content is not null)
        {
            o["content"] = Convert.ToBase64String(content, Base64FormattingOptions.InsertLineBreaks).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";
            o["encoding"] = "base64";
        }

        o["_links"] = new JsonObject { ["self"] = self, ["git"] = git, ["html"] = html };
        return o;
    }

    public static JsonObject Delivery(FakeDelivery d, long? repositoryId) => new()
    {
        ["id"] = d.Id,
        ["guid"] = d.Guid,
        ["delivered_at"] = Time(d.DeliveredAt),
        ["redelivery"] = d.Redelivery,
        ["duration"] = 0.27,
        ["status"] = d.StatusCode switch { 0 => "failed to connect", >= 200 and < 300 => "OK", _ => $"Invalid HTTP Response: {d.StatusCode}" },
        ["status_code"] = d.StatusCode,
        ["event"] = d.Event,
        ["action"] = d.Action,
        ["installation_id"] = null,
        ["repository_id"] = repositoryId,
        ["throttled_at"] = null,
    };

    private static readonly (string Key, string Tail)[] RepositoryUrls =
    [
        ("forks_url", "/forks"), ("keys_url", "/keys{/key_id}"), ("collaborators_url", "/collaborators{/collaborator}"),
        ("teams_url", "/teams"), ("hooks_url", "/hooks"), ("issue_events_url", "/issues/events{/number}"), ("events_url", "/events"),
        ("assignees_url", "/assignees{/user}"), ("branches_url", "/branches{/branch}"), ("tags_url", "/tags"),
        ("blobs_url", "/git/blobs{/sha}"), ("git_tags_url", "/git/tags{/sha}"), ("git_refs_url", "/git/refs{/sha}"),
        ("trees_url", "/git/trees{/sha}"), ("statuses_url", "/statuses/{sha}"), ("languages_url", "/languages"),
        ("stargazers_url", "/stargazers"), ("contributors_url", "/contributors"), ("subscribers_url", "/subscribers"),
        ("subscription_url", "/subscription"), ("commits_url", "/commits{/sha}"), ("git_commits_url", "/git/commits{/sha}"),
        ("comments_url", "/comments{/number}"), ("issue_comment_url", "/issues/comments{/number}"), ("contents_url", "/contents/{+path}"),
        ("compare_url", "/compare/{base}...{head}"), ("merges_url", "/merges"), ("archive_url", "/{archive_format}{/ref}"),
        ("downloads_url", "/downloads"), ("issues_url", "/issues{/number}"), ("pulls_url", "/pulls{/number}"),
        ("milestones_url", "/milestones{/number}"), ("notifications_url", "/notifications{?since,all,participating}"),
        ("labels_url", "/labels{/name}"), ("releases_url", "/releases{/id}"), ("deployments_url", "/deployments"),
    ];

    private JsonObject Branch(FakeRepository repo, string branch, string sha, string user) => new()
    {
        ["label"] = $"{user}:{branch}",
        ["ref"] = branch,
        ["sha"] = sha,
        ["user"] = User(user),
        ["repo"] = Repository(repo, full: true),
    };

    private static JsonObject Href(string url) => new() { ["href"] = url };

    private static JsonObject Reactions(string url) => new()
    {
        ["url"] = url,
        ["total_count"] = 0,
        ["+1"] = 0,
        ["-1"] = 0,
        ["laugh"] = 0,
        ["hooray"] = 0,
        ["confused"] = 0,
        ["heart"] = 0,
        ["rocket"] = 0,
        ["eyes"] = 0,
    };
}
