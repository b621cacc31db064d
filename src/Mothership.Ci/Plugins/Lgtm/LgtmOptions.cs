using System.Collections.Immutable;
using Mothership.Model.Loading;

namespace Mothership.Ci.Plugins.Lgtm;

/// <summary>An entry of <c>plugins.yaml</c>'s <c>lgtm</c> list (Prow's <c>plugins.Lgtm</c>).</summary>
public sealed record LgtmOptions
{
    /// <summary>Prow's defaults: reviews do not act as <c>/lgtm</c>, every push removes the label.</summary>
    public static LgtmOptions Default { get; } = new();

    /// <summary>The organisations and <c>org/repo</c> the entry applies to.</summary>
    public ImmutableArray<string> Repos { get; init; } = [];

    /// <summary>A GitHub review "approved" acts as <c>/lgtm</c>, "changes requested" as <c>/lgtm cancel</c>.</summary>
    public bool ReviewActsAsLgtm { get; init; }

    /// <summary>
    /// Adding <c>lgtm</c> records the pull request's tree in a comment, and a push that keeps the
    /// same tree (a squash, a rebase without conflicts) keeps the label.
    /// </summary>
    public bool StoreTreeHash { get; init; }

    /// <summary>Prow's <c>trusted_team_for_sticky_lgtm</c>: accepted, not applied (Mothership does not read team membership).</summary>
    public string? StickyLgtmTeam { get; init; }

    /// <summary>Reads the <c>lgtm</c> section; problems go to the reader's diagnostics.</summary>
    internal static ImmutableArray<LgtmOptions> Read(MapReader root) => root.List("lgtm", ReadEntry);

    private static LgtmOptions? ReadEntry(MapReader r)
    {
        var repos = r.Strings("repos");
        if (repos.IsEmpty)
        {
            r.Diagnostics.Error(r.Location, "an lgtm entry needs repos: the organisations or org/repo it applies to");
        }

        var options = new LgtmOptions
        {
            Repos = repos,
            ReviewActsAsLgtm = r.Bool("review_acts_as_lgtm"),
            StoreTreeHash = r.Bool("store_tree_hash"),
            StickyLgtmTeam = r.String("trusted_team_for_sticky_lgtm"),
        };
        if (options.StickyLgtmTeam is not null)
        {
            r.Diagnostics.Warning(r.At("trusted_team_for_sticky_lgtm"), "trusted_team_for_sticky_lgtm is accepted but not applied: a push removes lgtm whoever the author is");
        }

        r.CheckUnknown();
        return options;
    }
}
