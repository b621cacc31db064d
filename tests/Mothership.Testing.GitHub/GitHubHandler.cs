using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Mothership.Testing.GitHub;

/// <summary>
/// The REST surface of <see cref="FakeGitHub"/>: routes a request to the state under the fake's
/// lock, then writes the answer with GitHub's headers.
/// </summary>
internal sealed partial class GitHubHandler(FakeGitHub github, ConcurrentQueue<RecordedRequest> requests, ConcurrentQueue<Exception> errors)
{
    private const string JsonContentType = "application/json; charset=utf-8";
    private const string RawContentType = "application/vnd.github.v3.raw; charset=utf-8";
    private const string EnterprisePrefix = "/api/v3";
    private const int DefaultPageSize = 30;

    private static readonly JsonSerializerOptions WriteOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task HandleAsync(HttpContext ctx)
    {
        string body;
        using (var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(ctx.RequestAborted).ConfigureAwait(false);
        }

        var fullPath = ctx.Request.Path.Value ?? "/";
        var prefix = fullPath.StartsWith(EnterprisePrefix + "/", StringComparison.Ordinal) ? EnterprisePrefix : "";
        var request = new RecordedRequest(
            ctx.Request.Method, fullPath[prefix.Length..], ctx.Request.QueryString.Value ?? "", body,
            ctx.Request.Headers.Accept.ToString(), ctx.Request.Headers.Authorization.ToString(), github.Now);
        requests.Enqueue(request);
        var root = $"http://127.0.0.1:{ctx.Connection.LocalPort}";
        var call = new Call(request, ctx.Request.Query, new GitHubJson($"{root}{prefix}/", $"{root}/", github.UserId), $"{root}{prefix}");
        Reply reply;
        int remaining;
        DateTimeOffset reset;
        try
        {
            lock (github.Gate)
            {
                (remaining, reset) = SpendQuota();
                reply = Answer(call, remaining, reset);
            }
        }
        catch (GitHubError e)
        {
            (remaining, reset) = (github.RateLimitRemaining, github.RateLimitReset);
            reply = e.ToReply();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug of the fake: kept for the test to see, answered as GitHub answers its own failures.
            errors.Enqueue(e);
            (remaining, reset) = (github.RateLimitRemaining, github.RateLimitReset);
            reply = new Reply(500, GitHubJson.Error("fake GitHub: " + e.Message));
        }

        // Conditional requests, as GitHub answers them: an ETag on every GET answered 200; the
        // same ETag in If-None-Match gets 304 and its quota back.
        if (request.Method == "GET" && reply.Status == 200 && Body(reply) is { } bytes)
        {
            var etag = $"W/\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..40]}\"";
            reply = reply with { Headers = new Dictionary<string, string>(reply.Headers ?? []) { ["ETag"] = etag } };
            if (ctx.Request.Headers.IfNoneMatch.ToString() == etag)
            {
                lock (github.Gate)
                {
                    github.RateLimitRemaining = Math.Min(github.Options.RateLimit, github.RateLimitRemaining + 1);
                    remaining = github.RateLimitRemaining;
                }

                github.CountNotModified();
                reply = new Reply(304, Headers: new Dictionary<string, string> { ["ETag"] = etag });
            }
        }

        await WriteAsync(ctx, reply, remaining, reset).ConfigureAwait(false);
    }

    private static byte[]? Body(Reply reply) => reply.Raw ?? (reply.Json is { } node ? Encoding.UTF8.GetBytes(node.ToJsonString(WriteOptions)) : null);

    private (int Remaining, DateTimeOffset Reset) SpendQuota()
    {
        if (github.RateLimitReset <= github.Now)
        {
            github.RateLimitRemaining = github.Options.RateLimit;
            github.RateLimitReset = github.Now.AddHours(1);
        }

        var before = github.RateLimitRemaining;
        github.RateLimitRemaining = Math.Max(0, before - 1);
        return (before == 0 ? -1 : github.RateLimitRemaining, github.RateLimitReset);
    }

    private Reply Answer(Call call, int remaining, DateTimeOffset reset)
    {
        // Kestrel decodes the path except "%2F", which would change its segments: a label named
        // "do-not-merge/hold" arrives as one segment "do-not-merge%2Fhold", as GitHub reads it.
        var segments = call.Request.Path.Trim('/').Split('/').Select(s => s.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase)).ToArray();
        FakeInstallationToken? installation = null;
        if (github.Options.App is { } app)
        {
            if (segments is ["app", ..] or ["repos", _, _, "installation"] or ["orgs", _, "installation"])
            {
                // The app speaks as itself with a JWT: GitHub answers 401 to anything else here.
                var jwt = Credential(call, "bearer") ?? throw new GitHubError(401, "A JSON web token could not be decoded");
                if (app.JwtProblem(jwt, github.Now) is { } problem)
                {
                    throw new GitHubError(401, problem);
                }

                return RouteApp(call, app, segments);
            }

            installation = (Credential(call, "token") ?? Credential(call, "bearer")) is { } presented ? app.ValidToken(presented, github.Now) : null;
            if (installation is null)
            {
                throw new GitHubError(401, "Bad credentials");
            }

            if (segments is ["repos" or "orgs", var account, ..] && app.AccountOf(installation.InstallationId) is { } own
                && !string.Equals(own, account, StringComparison.OrdinalIgnoreCase))
            {
                throw new GitHubError(403, "Resource not accessible by integration");
            }
        }

        // The scheme is case-insensitive (RFC 9110): Octokit sends "Token T", GitHub's docs "token T" or "Bearer T".
        if (github.Options.App is null && github.Options.Token is { } token
            && !(call.Request.Authorization.Split(' ', 2) is [var scheme, var value] && value == token
                && (scheme.Equals("token", StringComparison.OrdinalIgnoreCase) || scheme.Equals("bearer", StringComparison.OrdinalIgnoreCase))))
        {
            throw new GitHubError(401, "Bad credentials");
        }

        if (github.Faults.Take(call.Request) is { } fault)
        {
            return Fault(fault.Fault, fault.RetryAfter);
        }

        if (remaining < 0)
        {
            // The quota was spent before this request: GitHub's primary limit.
            return Fault(GitHubFault.PrimaryRateLimit, reset - github.Now);
        }

        return segments switch
        {
            ["repos", var owner, var name, .. var rest] =>
                RouteRepository(call, github.Repository(owner, name) ?? throw NotFound(), rest),
            ["repositories", var id, .. var rest] when long.TryParse(id, CultureInfo.InvariantCulture, out var repoId) =>
                RouteRepository(call, github.RepositoryById(repoId) ?? throw NotFound(), rest),
            ["orgs", var org, .. var rest] => RouteOrganization(call, github.FindOrganization(org) ?? throw NotFound(), rest),
            _ => throw NotFound(),
        };
    }

    private Reply Fault(GitHubFault fault, TimeSpan wait)
    {
        var seconds = ((long)Math.Ceiling(Math.Max(0, wait.TotalSeconds))).ToString(CultureInfo.InvariantCulture);
        const string Secondary = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
            + "If you reach out to GitHub Support for help, please include the request ID 0000:00000:0000000:0000000:00000000.";
        const string SecondaryDocs = "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits";
        return fault switch
        {
            GitHubFault.SecondaryRateLimit => new Reply(403, GitHubJson.Error(Secondary, SecondaryDocs), Headers: new() { ["Retry-After"] = seconds }),
            GitHubFault.TooManyRequests => new Reply(429, GitHubJson.Error(Secondary, SecondaryDocs), Headers: new() { ["Retry-After"] = seconds }),
            GitHubFault.PrimaryRateLimit => new Reply(
                403,
                GitHubJson.Error(
                    $"API rate limit exceeded for user ID {github.UserId(github.Options.Login)}.",
                    "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit"),
                RateLimit: (0, github.Now + wait)),
            GitHubFault.Forbidden => new Reply(403, GitHubJson.Error("Resource not accessible by integration")),
            _ => new Reply(502, GitHubJson.Error("Server Error")),
        };
    }

    private Reply RouteRepository(Call call, FakeRepository repo, string[] rest)
    {
        var method = call.Request.Method;
        var json = call.Json;
        switch (rest)
        {
            case ["statuses", var sha] when method == "POST":
                return CreateStatus(call, repo, sha);

            case ["check-runs", .. var checkRest]:
                return CheckRuns(call, repo, checkRest);

            case ["commits", var gitRef, "check-runs"] when method == "GET":
                {
                    var app = github.Options.App ?? throw new GitHubError(403, "You must authenticate via a GitHub App.", CheckRunDocs);
                    var sha = ExistingSha(repo, gitRef);
                    var name = call.Query["check_name"].ToString();
                    var runs = repo.CheckRunList.Where(r => r.HeadSha == sha && (name.Length == 0 || r.Name == name)).Reverse().ToList();
                    var size = PageSize(call);
                    var page = int.TryParse(call.Query["page"], CultureInfo.InvariantCulture, out var p) && p > 0 ? p : 1;
                    return new Reply(200, new JsonObject
                    {
                        ["total_count"] = runs.Count,
                        ["check_runs"] = new JsonArray([.. runs.Skip((page - 1) * size).Take(size).Select(r => (JsonNode)json.CheckRun(repo, app, r))]),
                    });
                }

            case ["commits", var gitRef, "statuses"] when method == "GET":
                {
                    var sha = ExistingSha(repo, gitRef);
                    return Page(call, [.. repo.StatusList.Where(s => s.Sha == sha).Reverse().Select(s => json.Status(repo, s, withCreator: true))]);
                }

            case ["commits", var gitRef, "status"] when method == "GET":
                {
                    var sha = ExistingSha(repo, gitRef);
                    var latest = repo.StatusList.Where(s => s.Sha == sha).Reverse().DistinctBy(s => s.Context).ToList();
                    return new Reply(200, json.CombinedStatus(repo, gitRef, sha, latest));
                }

            case ["labels"] when method == "GET":
                return Page(call, [.. repo.Labels.Select(l => json.Label(repo, l))]);

            case ["labels"] when method == "POST":
                return CreateLabel(call, repo);

            case ["labels", var name]:
                return Label(call, repo, name);

            case ["issues"] when method == "GET":
                {
                    var state = call.Query["state"].ToString() is { Length: > 0 } s ? s : "open";
                    var issues = repo.Issues.Values.Reverse().Where(i => state == "all" || (state == "closed") == i.Closed);
                    return Page(call, [.. issues.Select(i => json.Issue(repo, i, Comments(repo, i.Number)))]);
                }

            case ["issues"] when method == "POST":
                {
                    var input = ParseObject(call);
                    var title = input["title"]?.GetValue<string>() ?? throw Invalid("Issue", "missing_field", "title");
                    var issue = new FakeIssue(github.NextId(), repo.Issues.Count == 0 ? 1 : repo.Issues.Keys.Max() + 1, title, github.Options.Login, github.Now)
                    {
                        Body = input["body"]?.GetValue<string>(),
                    };
                    repo.Issues[issue.Number] = issue;
                    AddLabels(repo, issue, input["labels"]?.AsArray().Select(l => l!.GetValue<string>()) ?? []);
                    var created = json.Issue(repo, issue, 0, single: true);
                    return Created(created);
                }

            case ["issues", "comments", var id] when long.TryParse(id, CultureInfo.InvariantCulture, out var commentId):
                return Comment(call, repo, commentId);

            case ["issues", var n, .. var sub] when int.TryParse(n, CultureInfo.InvariantCulture, out var number):
                return RouteIssue(call, repo, repo.Issues.GetValueOrDefault(number) ?? throw NotFound(), sub);

            case ["pulls"] when method == "GET":
                {
                    // GitHub's list: open by default, newest first unless direction=asc (sort=created).
                    var state = call.Query["state"].ToString() is { Length: > 0 } s ? s : "open";
                    var pulls = repo.Issues.Values.Where(i => i.IsPullRequest && (state == "all" || (state == "closed") == i.Closed));
                    var ascending = call.Query["direction"].ToString() == "asc";
                    pulls = ascending ? pulls.OrderBy(p => p.Number) : pulls.OrderByDescending(p => p.Number);
                    return Page(call, [.. pulls.Select(p => json.PullRequest(repo, p, 0, listed: true))]);
                }

            case ["pulls", var n, "reviews"] when method == "GET" && int.TryParse(n, CultureInfo.InvariantCulture, out var number):
                {
                    var pr = PullRequest(repo, number);
                    return Page(call, [.. repo.ReviewList.Where(r => r.PullNumber == pr.Number).Select(r => json.Review(repo, r))]);
                }

            case ["pulls", var n, "merge"] when method == "PUT" && int.TryParse(n, CultureInfo.InvariantCulture, out var number):
                return Merge(call, repo, PullRequest(repo, number));

            case ["pulls", var n] when method == "GET" && int.TryParse(n, CultureInfo.InvariantCulture, out var number):
                {
                    var pr = PullRequest(repo, number);
                    return new Reply(200, json.PullRequest(repo, pr, Comments(repo, number)));
                }

            case ["pulls", var n, "files"] when method == "GET" && int.TryParse(n, CultureInfo.InvariantCulture, out var number):
                {
                    var pr = PullRequest(repo, number);
                    return Page(call, [.. pr.Files.Take(3000).Select(f => json.PullRequestFile(repo, pr, f))]);
                }

            case ["pulls", var n, "requested_reviewers"] when int.TryParse(n, CultureInfo.InvariantCulture, out var number):
                return ReviewRequests(call, repo, PullRequest(repo, number));

            case ["git", "commits", var sha] when method == "GET":
                {
                    // GitHub: 404 for a sha it does not have, 422 for a ref-like string that is not one.
                    var tree = repo.Tree(sha) ?? throw new GitHubError(404, "Not Found", "https://docs.github.com/rest/git/commits#get-a-commit-object");
                    return new Reply(200, json.GitCommit(repo, sha, tree, github.Now));
                }

            case ["contents", .. var path] when method == "GET":
                return Contents(call, repo, string.Join('/', path));

            case ["contents", .. var path] when method == "PUT" && path.Length > 0:
                return PutContents(call, repo, string.Join('/', path));

            case ["pulls"] when method == "POST":
                return CreatePullRequest(call, repo);

            case ["pulls", var n] when method == "PATCH" && int.TryParse(n, CultureInfo.InvariantCulture, out var number):
                {
                    var pr = PullRequest(repo, number);
                    var input = ParseObject(call);
                    pr.Title = input["title"]?.GetValue<string>() ?? pr.Title;
                    pr.Body = input.ContainsKey("body") ? input["body"]?.GetValue<string>() : pr.Body;
                    if (input["state"]?.GetValue<string>() is { } state)
                    {
                        pr.Closed = state == "closed" ? true : state == "open" ? false : throw Invalid("PullRequest", "invalid", "state");
                    }

                    pr.UpdatedAt = github.Now;
                    return new Reply(200, json.PullRequest(repo, pr, Comments(repo, number)));
                }

            case ["releases"] when method == "POST":
                return CreateRelease(call, repo);

            case ["releases", "tags", .. var tagPath] when method == "GET" && tagPath.Length > 0:
                {
                    var tag = string.Join('/', tagPath);
                    var release = repo.ReleaseList.LastOrDefault(r => r.Tag == tag) ?? throw new GitHubError(404, "Not Found", "https://docs.github.com/rest/releases/releases#get-a-release-by-tag-name");
                    return new Reply(200, json.Release(repo, release));
                }

            case ["git", "matching-refs", "tags", .. var prefixPath] when method == "GET":
                {
                    var prefix = string.Join('/', prefixPath);
                    return Page(call, [.. repo.TagRefs.Where(t => t.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(t => t.Key, StringComparer.Ordinal)
                        .Select(t => json.Ref(repo, "refs/tags/" + t.Key, t.Value))]);
                }

            case ["git", "ref" or "refs", "tags", .. var tagPath] when method == "GET" && tagPath.Length > 0:
                {
                    var tag = string.Join('/', tagPath);
                    return repo.TagRefs.TryGetValue(tag, out var tagged)
                        ? new Reply(200, json.Ref(repo, "refs/tags/" + tag, tagged))
                        : throw new GitHubError(404, "Not Found", "https://docs.github.com/rest/git/refs#get-a-reference");
                }

            case ["collaborators", var login] when method == "GET":
                return repo.IsCollaborator(login) ? new Reply(204) : throw NotFound();

            case ["hooks", var id, "deliveries", .. var sub] when long.TryParse(id, CultureInfo.InvariantCulture, out var hookId):
                return Deliveries(call, repo.Hooks, hookId, sub, repo.Id);

            case ["git", "refs"] or ["git", "refs", "heads"] when method == "GET":
                return Page(call, [.. repo.Branches.OrderBy(b => b.Key, StringComparer.Ordinal).Select(b => json.Ref(repo, "refs/heads/" + b.Key, b.Value))]);

            case ["git", "refs"] when method == "POST":
                {
                    var input = ParseObject(call);
                    var name = input["ref"]?.GetValue<string>() ?? throw Invalid("Reference", "missing_field", "ref");
                    var sha = input["sha"]?.GetValue<string>() ?? throw Invalid("Reference", "missing_field", "sha");
                    if (name.StartsWith("refs/tags/", StringComparison.Ordinal))
                    {
                        return repo.TagRefs.TryAdd(name["refs/tags/".Length..], sha)
                            ? Created(json.Ref(repo, name, sha))
                            : throw new GitHubError(422, "Reference already exists", "https://docs.github.com/rest/git/refs#create-a-reference");
                    }

                    if (!name.StartsWith("refs/heads/", StringComparison.Ordinal))
                    {
                        throw new GitHubError(422, "Reference name must start with 'refs/heads/' or 'refs/tags/' in this fake", "https://docs.github.com/rest/git/refs#create-a-reference");
                    }

                    if (!repo.Branches.TryAdd(name["refs/heads/".Length..], sha))
                    {
                        throw new GitHubError(422, "Reference already exists", "https://docs.github.com/rest/git/refs#create-a-reference");
                    }

                    return Created(json.Ref(repo, name, sha));
                }

            case ["git", "ref" or "refs", "heads", .. var branchPath] when branchPath.Length > 0:
                {
                    var branch = string.Join('/', branchPath);
                    if (!repo.Branches.TryGetValue(branch, out var current))
                    {
                        throw new GitHubError(404, "Not Found", "https://docs.github.com/rest/git/refs");
                    }

                    switch (method)
                    {
                        case "GET":
                            return new Reply(200, json.Ref(repo, "refs/heads/" + branch, current));
                        case "PATCH":
                            var sha = ParseObject(call)["sha"]?.GetValue<string>() ?? throw Invalid("Reference", "missing_field", "sha");
                            repo.Branches[branch] = sha;
                            return new Reply(200, json.Ref(repo, "refs/heads/" + branch, sha));
                        case "DELETE":
                            repo.Branches.Remove(branch);
                            return new Reply(204);
                        default:
                            throw NotFound();
                    }
                }

            case ["branches", _, "protection"] when method == "GET":
                throw new GitHubError(404, "Branch not protected", "https://docs.github.com/rest/reference/repos#get-branch-protection");

            default:
                throw NotFound();
        }
    }

    private Reply RouteIssue(Call call, FakeRepository repo, FakeIssue issue, string[] sub)
    {
        var method = call.Request.Method;
        var json = call.Json;
        switch (sub)
        {
            case [] when method == "GET":
                return new Reply(200, json.Issue(repo, issue, Comments(repo, issue.Number), single: true));

            case ["labels"] when method == "GET":
                return Page(call, [.. json.LabelsOf(repo, issue).Select(l => l!.DeepClone())]);

            case ["labels"] when method is "POST" or "PUT":
                {
                    var input = ParseBody(call);
                    var names = (input is JsonObject o ? o["labels"] : input)?.AsArray().Select(l => l!.GetValue<string>()).ToList()
                        ?? throw Invalid("Label", "missing_field", "labels");
                    if (method == "PUT")
                    {
                        issue.LabelNames.Clear();
                    }

                    AddLabels(repo, issue, names);
                    return new Reply(200, json.LabelsOf(repo, issue));
                }

            case ["labels", var name] when method == "DELETE":
                {
                    var index = issue.LabelNames.FindIndex(l => string.Equals(l, name, StringComparison.OrdinalIgnoreCase));
                    if (index < 0)
                    {
                        throw new GitHubError(404, "Label does not exist", "https://docs.github.com/rest/issues/labels#remove-a-label-from-an-issue");
                    }

                    issue.LabelNames.RemoveAt(index);
                    issue.UpdatedAt = github.Now;
                    return new Reply(200, json.LabelsOf(repo, issue));
                }

            case ["assignees"] when method is "POST" or "DELETE":
                {
                    var logins = ParseObject(call)["assignees"]?.AsArray().Select(l => l!.GetValue<string>()).ToList()
                        ?? throw Invalid("Issue", "missing_field", "assignees");
                    foreach (var login in logins)
                    {
                        if (method == "DELETE")
                        {
                            issue.Assignees.RemoveAll(a => string.Equals(a, login, StringComparison.OrdinalIgnoreCase));
                        }
                        else if (repo.IsCollaborator(login) && !issue.Assignees.Contains(login, StringComparer.OrdinalIgnoreCase) && issue.Assignees.Count < 10)
                        {
                            // GitHub ignores, without an error, users who cannot be assigned.
                            issue.Assignees.Add(login);
                        }
                    }

                    issue.UpdatedAt = github.Now;
                    var answer = json.Issue(repo, issue, Comments(repo, issue.Number), single: true);
                    return method == "POST" ? new Reply(201, answer) : new Reply(200, answer);
                }

            case ["comments"] when method == "GET":
                return Page(call, [.. repo.CommentList.Where(c => c.IssueNumber == issue.Number).Select(c => json.Comment(repo, c))]);

            case ["comments"] when method == "POST":
                {
                    var text = ParseObject(call)["body"]?.GetValue<string>() ?? throw Invalid("IssueComment", "missing_field", "body");
                    var comment = new FakeComment(github.NextId(), issue.Number, github.Options.Login, text, github.Now, github.Now);
                    repo.CommentList.Add(comment);
                    return Created(json.Comment(repo, comment));
                }

            default:
                throw NotFound();
        }
    }

    private Reply ReviewRequests(Call call, FakeRepository repo, FakeIssue pr)
    {
        const string Docs = "https://docs.github.com/rest/pulls/review-requests#request-reviewers-for-a-pull-request";
        var method = call.Request.Method;
        if (method == "GET")
        {
            return new Reply(200, new JsonObject
            {
                ["users"] = call.Json.Users(pr.RequestedReviewers.Where(r => !r.Contains('/', StringComparison.Ordinal))),
                ["teams"] = new JsonArray([.. pr.RequestedReviewers.Where(r => r.Contains('/', StringComparison.Ordinal)).Select(t => (JsonNode)call.Json.Team(t))]),
            });
        }

        var input = ParseObject(call);
        var users = input["reviewers"]?.AsArray().Select(l => l!.GetValue<string>()).ToList() ?? [];
        var teams = input["team_reviewers"]?.AsArray().Select(l => repo.Owner + "/" + l!.GetValue<string>()).ToList() ?? [];
        switch (method)
        {
            case "POST":
                if (users.Any(u => string.Equals(u, pr.Author, StringComparison.OrdinalIgnoreCase)))
                {
                    throw new GitHubError(422, "Review cannot be requested from pull request author.", Docs);
                }

                if (users.Any(u => !repo.IsCollaborator(u)))
                {
                    throw new GitHubError(
                        422, $"Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the {repo.FullName} repository.", Docs);
                }

                foreach (var name in users.Concat(teams).Where(n => !pr.RequestedReviewers.Contains(n, StringComparer.OrdinalIgnoreCase)))
                {
                    pr.RequestedReviewers.Add(name);
                }

                pr.UpdatedAt = github.Now;
                return Created(call.Json.PullRequest(repo, pr, Comments(repo, pr.Number)));

            case "DELETE":
                pr.RequestedReviewers.RemoveAll(r => users.Concat(teams).Contains(r, StringComparer.OrdinalIgnoreCase));
                pr.UpdatedAt = github.Now;
                return new Reply(200, call.Json.PullRequest(repo, pr, Comments(repo, pr.Number)));

            default:
                throw NotFound();
        }
    }

    private Reply RouteOrganization(Call call, FakeOrganization org, string[] rest)
    {
        switch (rest)
        {
            case ["members", var login] when call.Request.Method == "GET":
                if (!org.RequesterIsMember)
                {
                    // GitHub: "Response if requester is not an organization member" - the public membership decides.
                    return new Reply(302, Headers: new() { ["Location"] = $"{call.Json.Api}orgs/{org.Login}/public_members/{login}" });
                }

                return org.IsMember(login) ? new Reply(204) : throw NotFound();

            case ["public_members", var login] when call.Request.Method == "GET":
                return org.IsPublicMember(login) ? new Reply(204) : throw NotFound();

            case ["hooks", var id, "deliveries", .. var sub] when long.TryParse(id, CultureInfo.InvariantCulture, out var hookId):
                return Deliveries(call, org.Hooks, hookId, sub, repositoryId: null);

            default:
                throw NotFound();
        }
    }

    private const string CheckRunDocs = "https://docs.github.com/rest/checks/runs#create-a-check-run";

    /// <summary>The Authorization header's credential when its scheme is <paramref name="scheme"/> (case-insensitive), or null.</summary>
    private static string? Credential(Call call, string scheme) =>
        call.Request.Authorization.Split(' ', 2) is [var s, var value] && s.Equals(scheme, StringComparison.OrdinalIgnoreCase) && value.Length > 0 ? value : null;

    /// <summary>What the app asks as itself: its installations and their tokens.</summary>
    private Reply RouteApp(Call call, FakeGitHubApp app, string[] segments)
    {
        const string Docs = "https://docs.github.com/rest/apps/apps";
        switch (segments)
        {
            case ["app"] when call.Request.Method == "GET":
                return new Reply(200, call.Json.App(app));

            case ["app", "installations", var id, "access_tokens"] when call.Request.Method == "POST"
                && long.TryParse(id, CultureInfo.InvariantCulture, out var installationId) && app.AccountOf(installationId) is not null:
                return new Reply(201, GitHubJson.AccessToken(app.Mint(installationId, github.Now)));

            case ["repos", var owner, var name, "installation"] when call.Request.Method == "GET" && github.Repository(owner, name) is not null
                && app.InstallationOf(owner) is { } repoInstallation:
                return new Reply(200, call.Json.Installation(app, repoInstallation, owner, github.FindOrganization(owner) is not null));

            case ["orgs", var org, "installation"] when call.Request.Method == "GET" && app.InstallationOf(org) is { } orgInstallation:
                return new Reply(200, call.Json.Installation(app, orgInstallation, org, organization: true));

            default:
                throw new GitHubError(404, "Not Found", Docs);
        }
    }

    /// <summary>Check runs: create, read, update (<c>/repos/O/R/check-runs[/ID]</c>); only an app's installation may.</summary>
    private Reply CheckRuns(Call call, FakeRepository repo, string[] rest)
    {
        var app = github.Options.App ?? throw new GitHubError(403, "You must authenticate via a GitHub App.", CheckRunDocs);
        switch (rest)
        {
            case [] when call.Request.Method == "POST":
                {
                    var input = ParseObject(call);
                    var name = input["name"]?.GetValue<string>() ?? throw Invalid("CheckRun", "missing_field", "name", CheckRunDocs);
                    var sha = input["head_sha"]?.GetValue<string>() ?? throw Invalid("CheckRun", "missing_field", "head_sha", CheckRunDocs);
                    var run = Apply(new FakeCheckRun { Id = github.NextId(), HeadSha = repo.Resolve(sha), Name = name, Status = "queued", StartedAt = github.Now }, input);
                    repo.CheckRunList.Add(run);
                    return Created(call.Json.CheckRun(repo, app, run));
                }

            case [var id] when long.TryParse(id, CultureInfo.InvariantCulture, out var runId):
                {
                    var index = repo.CheckRunList.FindIndex(r => r.Id == runId);
                    if (index < 0)
                    {
                        throw NotFound();
                    }

                    switch (call.Request.Method)
                    {
                        case "GET":
                            return new Reply(200, call.Json.CheckRun(repo, app, repo.CheckRunList[index]));
                        case "PATCH":
                            var updated = Apply(repo.CheckRunList[index], ParseObject(call)) with { Updates = repo.CheckRunList[index].Updates + 1 };
                            repo.CheckRunList[index] = updated;
                            return new Reply(200, call.Json.CheckRun(repo, app, updated));
                        default:
                            throw NotFound();
                    }
                }

            default:
                throw NotFound();
        }
    }

    /// <summary>
    /// A create or update body applied as GitHub does: a conclusion completes the run; completed
    /// needs a conclusion; at most 50 annotations a request, appended to those sent before.
    /// </summary>
    private FakeCheckRun Apply(FakeCheckRun run, JsonObject input)
    {
        var status = input["status"]?.GetValue<string>() ?? run.Status;
        var conclusion = input["conclusion"]?.GetValue<string>() ?? run.Conclusion;
        if (status is not ("queued" or "in_progress" or "completed" or "waiting" or "requested" or "pending"))
        {
            throw Invalid("CheckRun", "invalid", "status", CheckRunDocs);
        }

        if (conclusion is not (null or "action_required" or "cancelled" or "failure" or "neutral" or "success" or "skipped" or "stale" or "timed_out"))
        {
            throw Invalid("CheckRun", "invalid", "conclusion", CheckRunDocs);
        }

        if (input["conclusion"] is not null)
        {
            status = "completed";
        }

        if (status == "completed" && conclusion is null)
        {
            throw new GitHubError(422, "Invalid request.\n\nNo subschema in \"anyOf\" matched.\n\"conclusion\" wasn't supplied.", CheckRunDocs);
        }

        var output = input["output"] as JsonObject;
        var annotations = output?["annotations"]?.AsArray() ?? [];
        if (annotations.Count > 50)
        {
            throw new GitHubError(422, "Invalid request.\n\nOnly 50 annotations are allowed per request.", CheckRunDocs);
        }

        if (output is not null && (output["title"] is null || output["summary"] is null))
        {
            throw Invalid("CheckRun", "missing_field", output["title"] is null ? "title" : "summary", CheckRunDocs);
        }

        var added = annotations.OfType<JsonObject>().Select(a => new FakeCheckAnnotation(
            a["path"]?.GetValue<string>() ?? throw Invalid("CheckRun", "missing_field", "path", CheckRunDocs),
            a["start_line"]?.GetValue<int>() ?? throw Invalid("CheckRun", "missing_field", "start_line", CheckRunDocs),
            a["end_line"]?.GetValue<int>() ?? throw Invalid("CheckRun", "missing_field", "end_line", CheckRunDocs),
            a["start_column"]?.GetValue<int>(),
            a["end_column"]?.GetValue<int>(),
            a["annotation_level"]?.GetValue<string>() ?? throw Invalid("CheckRun", "missing_field", "annotation_level", CheckRunDocs),
            a["message"]?.GetValue<string>() ?? throw Invalid("CheckRun", "missing_field", "message", CheckRunDocs),
            a["title"]?.GetValue<string>())).ToList();
        return run with
        {
            Name = input["name"]?.GetValue<string>() ?? run.Name,
            Status = status,
            Conclusion = status == "completed" ? conclusion : null,
            DetailsUrl = input["details_url"]?.GetValue<string>() ?? run.DetailsUrl,
            ExternalId = input["external_id"]?.GetValue<string>() ?? run.ExternalId,
            CompletedAt = status == "completed" ? run.CompletedAt ?? (input["completed_at"]?.GetValue<string>() is { } at ? DateTimeOffset.Parse(at, CultureInfo.InvariantCulture) : github.Now) : null,
            Title = output is null ? run.Title : output["title"]!.GetValue<string>(),
            Summary = output is null ? run.Summary : output["summary"]!.GetValue<string>(),
            Text = output?["text"]?.GetValue<string>() ?? run.Text,
            Annotations = [.. run.Annotations, .. added],
        };
    }

    private Reply CreateStatus(Call call, FakeRepository repo, string sha)
    {
        var input = ParseObject(call);
        var state = input["state"]?.GetValue<string>();
        if (state is not ("pending" or "success" or "failure" or "error"))
        {
            throw new GitHubError(
                422, "Validation Failed", "https://docs.github.com/rest/commits/statuses#create-a-commit-status",
                new JsonArray(new JsonObject { ["resource"] = "Status", ["code"] = "custom", ["field"] = "state", ["message"] = "state is not included in the list" }));
        }

        var status = new FakeStatus(
            github.NextId(), repo.Resolve(sha), state, input["context"]?.GetValue<string>() ?? "default",
            input["description"]?.GetValue<string>(), input["target_url"]?.GetValue<string>(), github.Options.Login, github.Now);
        repo.StatusList.Add(status);
        return Created(call.Json.Status(repo, status, withCreator: true));
    }

    /// <summary>GitHub's merge: 405 when it cannot merge, 409 when the head is not the sha given; else the base moves to a new commit.</summary>
    private Reply Merge(Call call, FakeRepository repo, FakeIssue pr)
    {
        const string Docs = "https://docs.github.com/rest/pulls/pulls#merge-a-pull-request";
        var input = string.IsNullOrWhiteSpace(call.Request.Body) ? new JsonObject() : ParseObject(call);
        var mergeMethod = input["merge_method"]?.GetValue<string>() ?? "merge";
        if (mergeMethod is not ("merge" or "squash" or "rebase"))
        {
            throw Invalid("PullRequest", "invalid", "merge_method", Docs);
        }

        if (pr.Closed || pr.Merged || pr.Mergeable == false)
        {
            throw new GitHubError(405, "Pull Request is not mergeable", Docs);
        }

        if (!repo.AllowedMergeMethods.Contains(mergeMethod))
        {
            throw new GitHubError(405, mergeMethod switch
            {
                "squash" => "Squash merges are not allowed on this repository.",
                "rebase" => "Rebase merges are not allowed on this repository.",
                _ => "Merge commits are not allowed on this repository.",
            }, Docs);
        }

        if (input["sha"]?.GetValue<string>() is { } sha && sha != pr.HeadSha)
        {
            throw new GitHubError(409, "Head branch was modified. Review and try the merge again.", Docs);
        }

        var baseSha = repo.Branches.GetValueOrDefault(pr.BaseRef) ?? pr.BaseSha;
        var merged = Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(Encoding.UTF8.GetBytes($"{baseSha}+{pr.HeadSha}+{mergeMethod}")));
        repo.Branches[pr.BaseRef] = merged;
        pr.Merged = true;
        pr.Closed = true;
        pr.MergeMethod = mergeMethod;
        pr.UpdatedAt = github.Now;
        return new Reply(200, new JsonObject { ["sha"] = merged, ["merged"] = true, ["message"] = "Pull Request successfully merged" });
    }

    private Reply CreateLabel(Call call, FakeRepository repo)
    {
        var input = ParseObject(call);
        var name = input["name"]?.GetValue<string>() ?? throw Invalid("Label", "missing_field", "name", "https://docs.github.com/rest/reference/issues#create-a-label");
        var color = (input["color"]?.GetValue<string>() ?? "ededed").TrimStart('#');
        if (!HexColor().IsMatch(color))
        {
            throw Invalid("Label", "invalid", "color", "https://docs.github.com/rest/reference/issues#create-a-label");
        }

        if (repo.Labels.Any(l => string.Equals(l.Name, name, StringComparison.OrdinalIgnoreCase)))
        {
            throw Invalid("Label", "already_exists", "name", "https://docs.github.com/rest/reference/issues#create-a-label");
        }

        var label = new FakeLabel(github.NextId(), name, color, input["description"]?.GetValue<string>(), Default: false);
        repo.Labels.Add(label);
        return Created(call.Json.Label(repo, label));
    }

    private Reply Label(Call call, FakeRepository repo, string name)
    {
        var index = repo.Labels.FindIndex(l => string.Equals(l.Name, name, StringComparison.OrdinalIgnoreCase));
        if (index < 0)
        {
            throw NotFound();
        }

        switch (call.Request.Method)
        {
            case "GET":
                return new Reply(200, call.Json.Label(repo, repo.Labels[index]));

            case "PATCH":
                {
                    var input = ParseObject(call);
                    var old = repo.Labels[index];
                    var color = input["color"]?.GetValue<string>()?.TrimStart('#') ?? old.Color;
                    if (!HexColor().IsMatch(color))
                    {
                        throw Invalid("Label", "invalid", "color", "https://docs.github.com/rest/reference/issues#update-a-label");
                    }

                    var updated = old with
                    {
                        Name = input["new_name"]?.GetValue<string>() ?? old.Name,
                        Color = color,
                        Description = input.ContainsKey("description") ? input["description"]?.GetValue<string>() : old.Description,
                    };
                    repo.Labels[index] = updated;
                    foreach (var issue in repo.Issues.Values)
                    {
                        var at = issue.LabelNames.FindIndex(l => string.Equals(l, old.Name, StringComparison.OrdinalIgnoreCase));
                        if (at >= 0)
                        {
                            issue.LabelNames[at] = updated.Name;
                        }
                    }

                    return new Reply(200, call.Json.Label(repo, updated));
                }

            case "DELETE":
                {
                    var old = repo.Labels[index];
                    repo.Labels.RemoveAt(index);
                    foreach (var issue in repo.Issues.Values)
                    {
                        issue.LabelNames.RemoveAll(l => string.Equals(l, old.Name, StringComparison.OrdinalIgnoreCase));
                    }

                    return new Reply(204);
                }

            default:
                throw NotFound();
        }
    }

    private Reply Comment(Call call, FakeRepository repo, long id)
    {
        var index = repo.CommentList.FindIndex(c => c.Id == id);
        if (index < 0)
        {
            throw NotFound();
        }

        switch (call.Request.Method)
        {
            case "GET":
                return new Reply(200, call.Json.Comment(repo, repo.CommentList[index]));

            case "PATCH":
                {
                    var text = ParseObject(call)["body"]?.GetValue<string>() ?? throw Invalid("IssueComment", "missing_field", "body");
                    var updated = repo.CommentList[index] with { Body = text, UpdatedAt = github.Now };
                    repo.CommentList[index] = updated;
                    return new Reply(200, call.Json.Comment(repo, updated));
                }

            case "DELETE":
                repo.CommentList.RemoveAt(index);
                return new Reply(204);

            default:
                throw NotFound();
        }
    }

    private Reply Contents(Call call, FakeRepository repo, string path)
    {
        var gitRef = call.Query["ref"].ToString() is { Length: > 0 } r ? r : repo.DefaultBranch;
        const string Docs = "https://docs.github.com/rest/repos/contents#get-repository-content";
        if (repo.File(gitRef, path) is { } content)
        {
            if (call.Request.Accept.Contains(".raw", StringComparison.Ordinal))
            {
                return new Reply(200, Raw: content, ContentType: RawContentType);
            }

            return new Reply(200, call.Json.Content(repo, gitRef, path.Trim('/'), content, withContent: true));
        }

        var entries = repo.List(gitRef, path);
        if (entries.Count == 0)
        {
            throw new GitHubError(404, "Not Found", Docs);
        }

        return new Reply(200, new JsonArray([.. entries.Select(e => (JsonNode)call.Json.Content(repo, gitRef, e.Path, e.Content, withContent: false))]));
    }

    /// <summary>
    /// <c>PUT contents/{path}</c>: one file written on a branch as a new commit. Replacing a file
    /// needs its current blob <c>sha</c> (GitHub: 422 without it, 409 when it is not the current one).
    /// </summary>
    private Reply PutContents(Call call, FakeRepository repo, string path)
    {
        const string Docs = "https://docs.github.com/rest/repos/contents#create-or-update-file-contents";
        var input = ParseObject(call);
        var message = input["message"]?.GetValue<string>() ?? throw Invalid("Content", "missing_field", "message", Docs);
        var encoded = input["content"]?.GetValue<string>() ?? throw Invalid("Content", "missing_field", "content", Docs);
        byte[] content;
        try
        {
            content = Convert.FromBase64String(encoded);
        }
        catch (FormatException)
        {
            throw new GitHubError(422, "content is not valid Base64", Docs);
        }

        var branch = input["branch"]?.GetValue<string>() ?? repo.DefaultBranch;
        var existing = repo.Branches.ContainsKey(branch) ? repo.File(branch, path) : null;
        var given = input["sha"]?.GetValue<string>();
        if (existing is not null)
        {
            var current = Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(existing));
            if (given is null)
            {
                throw new GitHubError(422, "Invalid request.\n\n\"sha\" wasn't supplied.", Docs);
            }

            if (given != current)
            {
                throw new GitHubError(409, $"{path} does not match {given}", Docs);
            }
        }

        var commit = repo.CommitFile(branch, path, content, message, github.Options.Login);
        return new Reply(existing is null ? 201 : 200, call.Json.FileCommit(repo, commit, content, github.Now));
    }

    /// <summary><c>POST pulls</c>: a pull request from a branch of this repository; one open pull request per head and base.</summary>
    private Reply CreatePullRequest(Call call, FakeRepository repo)
    {
        const string Docs = "https://docs.github.com/rest/pulls/pulls#create-a-pull-request";
        var input = ParseObject(call);
        var title = input["title"]?.GetValue<string>() ?? throw Invalid("PullRequest", "missing_field", "title", Docs);
        var head = input["head"]?.GetValue<string>() ?? throw Invalid("PullRequest", "missing_field", "head", Docs);
        var baseRef = input["base"]?.GetValue<string>() ?? throw Invalid("PullRequest", "missing_field", "base", Docs);
        head = head.Contains(':', StringComparison.Ordinal) ? head[(head.IndexOf(':', StringComparison.Ordinal) + 1)..] : head;
        if (!repo.Branches.TryGetValue(head, out var headSha))
        {
            throw Invalid("PullRequest", "invalid", "head", Docs);
        }

        if (!repo.Branches.TryGetValue(baseRef, out var baseSha))
        {
            throw Invalid("PullRequest", "invalid", "base", Docs);
        }

        if (repo.Issues.Values.Any(i => i.IsPullRequest && !i.Closed && i.HeadRef == head && i.BaseRef == baseRef))
        {
            throw new GitHubError(422, "Validation Failed", Docs, new JsonArray(new JsonObject
            {
                ["resource"] = "PullRequest", ["code"] = "custom", ["message"] = $"A pull request already exists for {repo.Owner}:{head}.",
            }));
        }

        var pr = repo.AddPullRequest(github.Options.Login, headSha, head, baseRef, baseSha, title);
        pr.Body = input["body"]?.GetValue<string>();
        pr.Draft = input["draft"]?.GetValue<bool>() ?? false;
        return Created(call.Json.PullRequest(repo, pr, 0));
    }

    /// <summary><c>POST releases</c>: publishes a release of a tag, making the tag on <c>target_commitish</c> (default: the default branch) when missing.</summary>
    private Reply CreateRelease(Call call, FakeRepository repo)
    {
        const string Docs = "https://docs.github.com/rest/releases/releases#create-a-release";
        var input = ParseObject(call);
        var tag = input["tag_name"]?.GetValue<string>() ?? throw Invalid("Release", "missing_field", "tag_name", Docs);
        if (repo.ReleaseList.Any(r => r.Tag == tag))
        {
            throw Invalid("Release", "already_exists", "tag_name", Docs);
        }

        var target = input["target_commitish"]?.GetValue<string>() ?? repo.DefaultBranch;
        repo.TagRefs.TryAdd(tag, repo.Resolve(target));
        var release = new FakeRelease(github.NextId(), tag, target, input["name"]?.GetValue<string>() ?? tag, input["body"]?.GetValue<string>() ?? "", github.Options.Login, github.Now);
        repo.ReleaseList.Add(release);
        return Created(call.Json.Release(repo, release));
    }

    private Reply Deliveries(Call call, FakeHooks hooks, long hookId, string[] sub, long? repositoryId)
    {
        var list = hooks.Deliveries(hookId) ?? throw NotFound();
        switch (sub)
        {
            case [] when call.Request.Method == "GET":
                {
                    // Cursor pagination, newest first: the cursor is the id to continue from.
                    var size = PageSize(call);
                    var ordered = list.OrderByDescending(d => d.Id).ToList();
                    var start = call.Query["cursor"].ToString() is { Length: > 0 } cursor
                        && long.TryParse(cursor.StartsWith("v1_", StringComparison.Ordinal) ? cursor[3..] : cursor, CultureInfo.InvariantCulture, out var from)
                        ? ordered.FindIndex(d => d.Id <= from)
                        : 0;
                    var page = start < 0 ? [] : ordered.Skip(start).Take(size).ToList();
                    var headers = new Dictionary<string, string>();
                    if (start >= 0 && start + size < ordered.Count)
                    {
                        headers["Link"] = $"<{call.SelfBase}{call.Request.Path}?per_page={size}&cursor=v1_{ordered[start + size].Id}>; rel=\"next\"";
                    }

                    return new Reply(200, new JsonArray([.. page.Select(d => (JsonNode)GitHubJson.Delivery(d, repositoryId))]), Headers: headers);
                }

            case [var id] when call.Request.Method == "GET" && long.TryParse(id, CultureInfo.InvariantCulture, out var deliveryId):
                {
                    var delivery = list.FirstOrDefault(d => d.Id == deliveryId) ?? throw NotFound();
                    return new Reply(200, GitHubJson.Delivery(delivery, repositoryId));
                }

            case [var id, "attempts"] when call.Request.Method == "POST" && long.TryParse(id, CultureInfo.InvariantCulture, out var deliveryId):
                {
                    var delivery = list.FirstOrDefault(d => d.Id == deliveryId) ?? throw NotFound();
                    list.Add(delivery with { Id = github.NextId(), DeliveredAt = github.Now, Redelivery = true, StatusCode = 200 });
                    return new Reply(202, new JsonObject());
                }

            default:
                throw NotFound();
        }
    }

    private Reply Page(Call call, IReadOnlyList<JsonNode> items)
    {
        var size = PageSize(call);
        var page = int.TryParse(call.Query["page"], CultureInfo.InvariantCulture, out var p) && p > 0 ? p : 1;
        var last = Math.Max(1, (items.Count + size - 1) / size);
        var headers = new Dictionary<string, string>();
        if (last > 1)
        {
            // GitHub's order: prev, next, last, first; the first page has no prev/first, the last no next/last.
            var links = new List<string>();
            if (page > 1)
            {
                links.Add($"<{PageUrl(call, Math.Min(page - 1, last))}>; rel=\"prev\"");
            }

            if (page < last)
            {
                links.Add($"<{PageUrl(call, page + 1)}>; rel=\"next\"");
                links.Add($"<{PageUrl(call, last)}>; rel=\"last\"");
            }

            if (page > 1)
            {
                links.Add($"<{PageUrl(call, 1)}>; rel=\"first\"");
            }

            headers["Link"] = string.Join(", ", links);
        }

        return new Reply(200, new JsonArray([.. items.Skip((page - 1) * size).Take(size)]), Headers: headers);
    }

    private static string PageUrl(Call call, int page)
    {
        var query = call.Query.Where(q => q.Key != "page").Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value.ToString())}").Append($"page={page}");
        return $"{call.SelfBase}{call.Request.Path}?{string.Join('&', query)}";
    }

    private static int PageSize(Call call) =>
        int.TryParse(call.Query["per_page"], CultureInfo.InvariantCulture, out var n) && n > 0 ? Math.Min(n, 100) : DefaultPageSize;

    private void AddLabels(FakeRepository repo, FakeIssue issue, IEnumerable<string> names)
    {
        foreach (var name in names)
        {
            var label = repo.Labels.FirstOrDefault(l => string.Equals(l.Name, name, StringComparison.OrdinalIgnoreCase));
            if (label is null)
            {
                // GitHub creates a label it does not know, grey.
                label = new FakeLabel(github.NextId(), name, "ededed", null, Default: false);
                repo.Labels.Add(label);
            }

            if (!issue.LabelNames.Contains(label.Name, StringComparer.OrdinalIgnoreCase))
            {
                issue.LabelNames.Add(label.Name);
            }
        }

        issue.UpdatedAt = github.Now;
    }

    private static string ExistingSha(FakeRepository repo, string gitRef) =>
        repo.RefExists(gitRef)
            ? repo.Resolve(gitRef)
            : throw new GitHubError(404, $"No commit found for SHA: {gitRef}", "https://docs.github.com/rest/commits/statuses#get-the-combined-status-for-a-specific-reference");

    private static FakeIssue PullRequest(FakeRepository repo, int number) =>
        repo.Issues.GetValueOrDefault(number) is { IsPullRequest: true } pr ? pr : throw NotFound();

    private static int Comments(FakeRepository repo, int number) => repo.CommentList.Count(c => c.IssueNumber == number);

    private static JsonObject ParseObject(Call call) =>
        ParseBody(call) as JsonObject ?? throw new GitHubError(400, "Problems parsing JSON");

    private static JsonNode? ParseBody(Call call)
    {
        try
        {
            return JsonNode.Parse(call.Request.Body);
        }
        catch (JsonException)
        {
            throw new GitHubError(400, "Problems parsing JSON");
        }
    }

    private static Reply Created(JsonObject created) =>
        new(201, created, Headers: new() { ["Location"] = created["url"]!.GetValue<string>() });

    private static GitHubError NotFound() => new(404, "Not Found");

    private static GitHubError Invalid(string resource, string code, string field, string documentationUrl = "https://docs.github.com/rest") =>
        new(422, "Validation Failed", documentationUrl, new JsonArray(new JsonObject { ["resource"] = resource, ["code"] = code, ["field"] = field }));

    private async Task WriteAsync(HttpContext ctx, Reply reply, int remaining, DateTimeOffset reset)
    {
        var response = ctx.Response;
        response.StatusCode = reply.Status;
        var (limitRemaining, limitReset) = reply.RateLimit ?? (Math.Max(0, remaining), reset);
        var headers = response.Headers;
        headers["X-GitHub-Media-Type"] = "github.v3; format=json";
        headers["X-GitHub-Request-Id"] = $"0000:{Environment.CurrentManagedThreadId:00000}:0000000:0000000:{requests.Count:00000000}";
        headers["X-RateLimit-Limit"] = github.Options.RateLimit.ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Remaining"] = limitRemaining.ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Reset"] = limitReset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Used"] = (github.Options.RateLimit - limitRemaining).ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Resource"] = "core";
        headers["Access-Control-Expose-Headers"] = "ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Used, "
            + "X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, X-Accepted-OAuth-Scopes, X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, X-GitHub-Request-Id, Deprecation, Sunset";
        foreach (var (name, value) in reply.Headers ?? [])
        {
            headers[name] = value;
        }

        var body = Body(reply);
        if (body is null)
        {
            return;
        }

        response.ContentType = reply.ContentType ?? JsonContentType;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, ctx.RequestAborted).ConfigureAwait(false);
    }

    [GeneratedRegex("^[0-9a-fA-F]{6}$")]
    private static partial Regex HexColor();

    /// <summary>One request being answered.</summary>
    /// <param name="Request">The request as recorded.</param>
    /// <param name="Query">Its query parameters.</param>
    /// <param name="Json">The shapes, with URLs on the address the request came to.</param>
    /// <param name="SelfBase">Scheme, host and prefix, to which the path is appended for Link URLs.</param>
    private sealed record Call(RecordedRequest Request, IQueryCollection Query, GitHubJson Json, string SelfBase);

    /// <summary>An answer: status, JSON or raw body, extra headers, and a rate-limit override for a primary-limit fault.</summary>
    private sealed record Reply(
        int Status, JsonNode? Json = null, byte[]? Raw = null, string? ContentType = null, Dictionary<string, string>? Headers = null,
        (int Remaining, DateTimeOffset Reset)? RateLimit = null);

    /// <summary>An error answer: <c>{"message", "documentation_url"}</c>, plus <c>errors</c> for a 422.</summary>
    private sealed class GitHubError(int status, string message, string documentationUrl = "https://docs.github.com/rest", JsonArray? errors = null)
        : Exception(message)
    {
        public Reply ToReply()
        {
            var body = new JsonObject { ["message"] = Message };
            if (errors is not null)
            {
                body["errors"] = errors;
            }

            body["documentation_url"] = documentationUrl;
            return new Reply(status, body);
        }
    }
}
