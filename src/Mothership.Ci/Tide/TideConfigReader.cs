using System.Collections.Immutable;
using Mothership.Ci.Forge;
using Mothership.Model.Loading;
using Mothership.Model.Validation;

namespace Mothership.Ci.Tide;

/// <summary>
/// Reads the <c>tide:</c> section of a Prow <c>config.yaml</c> (Prow's <c>pkg/config/tide.go</c>),
/// every problem at its <c>FILE:LINE:COL</c>. Settings Prow has and the pool does not use are accepted.
/// </summary>
internal static class TideConfigReader
{
    /// <summary>The section's key in <c>config.yaml</c>.</summary>
    public const string Key = "tide";

    /// <summary>Prow's Tide settings that are accepted and not used.</summary>
    private static readonly string[] Accepted =
    [
        "status_update_period", "merge_commit_template", "target_urls", "pr_status_base_url", "pr_status_base_urls", "blocker_label",
        "max_goroutines", "max_query_concurrency", "priority", "prioritize_existing_batches", "display_all_tide_queries_in_status",
        "gerrit", "github_merge_blocks_policy",
    ];

    /// <summary>The section of <paramref name="root"/>; <see cref="TideConfig.Empty"/> when it has none.</summary>
    public static TideConfig Read(MapReader root)
    {
        if (root.Map(Key) is not { } r)
        {
            return TideConfig.Empty;
        }

        var config = new TideConfig
        {
            Queries = r.List("queries", ReadQuery),
            SyncPeriod = Duration(r, "sync_period") ?? TideConfig.DefaultSyncPeriod,
            MergeMethods = ReadMergeMethods(r),
            MergeLabel = Label(r, "merge_label"),
            SquashLabel = Label(r, "squash_label"),
            RebaseLabel = Label(r, "rebase_label"),
            BatchSizeLimits = ReadBatchSizeLimits(r),
            TargetUrl = r.String("target_url"),
        };
        if (r.Map("context_options") is { } options)
        {
            var policies = ImmutableSortedDictionary.CreateBuilder<string, TideContextPolicy>(StringComparer.Ordinal);
            config = config with { ContextPolicy = ReadPolicy(options, policies, "", "orgs") };
            config = config with { ContextPolicies = policies.ToImmutable() };
        }

        r.Ignore(Accepted);
        r.CheckUnknown();
        return config;
    }

    private static TideQuery? ReadQuery(MapReader r)
    {
        var query = new TideQuery
        {
            Repos = r.Strings("repos"),
            Orgs = r.Strings("orgs"),
            ExcludedRepos = r.Strings("excludedRepos"),
            Author = r.String("author"),
            Labels = r.Strings("labels"),
            MissingLabels = r.Strings("missingLabels"),
            IncludedBranches = r.Strings("includedBranches"),
            ExcludedBranches = r.Strings("excludedBranches"),
            Milestone = r.String("milestone"),
            ReviewApprovedRequired = r.Bool("reviewApprovedRequired"),
        };
        foreach (var repo in query.Repos.Concat(query.ExcludedRepos).Where(e => !RepositoryName.TryParse(e, out _)))
        {
            r.Diagnostics.Error(r.At(query.Repos.Contains(repo) ? "repos" : "excludedRepos"), $"'{repo}' in a tide query is not a repository: write org/repo");
        }

        if (query.Repos.IsEmpty && query.Orgs.IsEmpty)
        {
            r.Diagnostics.Error(r.Location, "a tide query needs repos or orgs: the pull requests of which repositories may merge");
        }

        if (!query.IncludedBranches.IsEmpty && !query.ExcludedBranches.IsEmpty)
        {
            r.Diagnostics.Error(r.At("excludedBranches"), "a tide query may have includedBranches or excludedBranches, not both");
        }

        foreach (var label in query.Labels.Intersect(query.MissingLabels, StringComparer.Ordinal))
        {
            r.Diagnostics.Error(r.At("missingLabels"), $"label '{label}' is both required and forbidden in this tide query");
        }

        r.CheckUnknown();
        return query;
    }

    /// <summary>
    /// Prow's three forms: <c>org: method</c>, <c>org: {repo: method}</c>, <c>org: {repo: {branch-regex: method}}</c>,
    /// plus the shorthands <c>org/repo: method</c> and <c>org/repo@branch: method</c>.
    /// </summary>
    private static ImmutableSortedDictionary<string, MergeMethod> ReadMergeMethods(MapReader r)
    {
        var methods = ImmutableSortedDictionary.CreateBuilder<string, MergeMethod>(StringComparer.Ordinal);
        if (r.Map("merge_method") is not { } map)
        {
            return methods.ToImmutable();
        }

        foreach (var key in map.Keys.ToList())
        {
            var at = map.At(key);
            switch (map.Keep(key).GetValueOrDefault(key))
            {
                case string text:
                    Add(key, text);
                    break;
                case Dictionary<string, object?> repos when !key.Contains('/', StringComparison.Ordinal):
                    foreach (var (repo, value) in repos)
                    {
                        if (value is string text)
                        {
                            Add(key + "/" + repo, text);
                        }
                        else if (value is Dictionary<string, object?> branches)
                        {
                            foreach (var (branch, method) in branches)
                            {
                                Add(key + "/" + repo + "@" + branch, method as string ?? "");
                            }
                        }
                    }

                    break;
                case Dictionary<string, object?> branches:
                    foreach (var (branch, method) in branches)
                    {
                        Add(key + "@" + branch, method as string ?? "");
                    }

                    break;
                default:
                    map.Diagnostics.Error(at, $"merge_method for '{key}' must be merge, squash or rebase, or a mapping of repositories or branches to one");
                    break;
            }

            void Add(string target, string text)
            {
                if (Method(text) is { } method)
                {
                    methods[target] = method;
                }
                else
                {
                    map.Diagnostics.Error(at, $"merge_method '{text}' for '{target}' is not merge, squash or rebase");
                }

                if (target.IndexOf('@', StringComparison.Ordinal) is var branchAt and > 0
                    && Jobs.GoRegex.TryCompile(target[(branchAt + 1)..], out var error) is null)
                {
                    map.Diagnostics.Error(at, $"branch '{target[(branchAt + 1)..]}' of merge_method is not a valid regex: {error}");
                }
            }
        }

        return methods.ToImmutable();
    }

    private static MergeMethod? Method(string text) => text switch
    {
        "merge" => MergeMethod.Merge,
        "squash" => MergeMethod.Squash,
        "rebase" => MergeMethod.Rebase,
        _ => null,
    };

    private static ImmutableSortedDictionary<string, int> ReadBatchSizeLimits(MapReader r)
    {
        var limits = ImmutableSortedDictionary.CreateBuilder<string, int>(StringComparer.Ordinal);
        if (r.Map("batch_size_limit") is not { } map)
        {
            return limits.ToImmutable();
        }

        foreach (var key in map.Keys.ToList())
        {
            if (map.Int(key) is not { } limit)
            {
                continue;
            }

            if (limit < -1)
            {
                map.Diagnostics.Error(map.At(key), $"batch_size_limit for '{key}' is {limit}: write a positive size, 0 for no limit or -1 for no batches");
            }
            else
            {
                limits[key] = limit;
            }
        }

        return limits.ToImmutable();
    }

    /// <summary>One policy's fields, and under <paramref name="nested"/> (orgs, repos, branches) the more specific ones, added to <paramref name="policies"/> by key.</summary>
    private static TideContextPolicy ReadPolicy(MapReader r, ImmutableSortedDictionary<string, TideContextPolicy>.Builder policies, string prefix, string? nested)
    {
        var policy = new TideContextPolicy
        {
            RequiredContexts = r.Strings("required-contexts"),
            RequiredIfPresentContexts = r.Strings("required-if-present-contexts"),
            OptionalContexts = r.Strings("optional-contexts"),
            SkipUnknownContexts = r.Has("skip-unknown-contexts") ? r.Bool("skip-unknown-contexts") : null,
            FromBranchProtection = r.Has("from-branch-protection") ? r.Bool("from-branch-protection") : null,
        };
        r.Ignore("optional-regex-contexts", "overwrite-pending-contexts");
        if (nested is not null && r.Map(nested) is { } children)
        {
            var (separator, next) = nested switch
            {
                "orgs" => ("", "repos"),
                "repos" => ("/", "branches"),
                _ => ("@", (string?)null),
            };
            foreach (var key in children.Keys.ToList())
            {
                if (children.Map(key) is { } child)
                {
                    policies[prefix + separator + key] = ReadPolicy(child, policies, prefix + separator + key, next);
                }
            }

            children.CheckUnknown();
        }

        r.CheckUnknown();
        return policy;
    }

    private static string? Label(MapReader r, string key) => r.String(key) is { Length: > 0 } label ? label : null;

    private static TimeSpan? Duration(MapReader r, string key)
    {
        if (r.String(key) is not { } text)
        {
            return null;
        }

        if (!GoDuration.TryParse(text, out var duration) || duration <= TimeSpan.Zero)
        {
            r.Diagnostics.Error(r.At(key), $"{key} '{text}' is not a duration longer than zero: write a Go duration such as 30s, 1m or 1m30s");
            return null;
        }

        return duration;
    }
}
