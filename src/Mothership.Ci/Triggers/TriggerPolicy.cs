using System.Collections.Immutable;

namespace Mothership.Ci.Triggers;

/// <summary>
/// Who may start jobs on a repository, as Prow's trigger plugin decides (its <c>triggers</c>
/// entry in <c>plugins.yaml</c>), with trust pinned to the tested commit unless
/// <see cref="OkToTestPersists"/>.
/// </summary>
public sealed record TriggerPolicy
{
    /// <summary>Prow's default for repositories without an entry.</summary>
    public static TriggerPolicy Default { get; } = new();

    /// <summary>Only members of the organisation (or <see cref="TrustedOrg"/>) are trusted, not collaborators. Default false.</summary>
    public bool OnlyOrgMembers { get; init; }

    /// <summary>Another organisation whose members are trusted too. Default none.</summary>
    public string? TrustedOrg { get; init; }

    /// <summary>GitHub Apps (their login without <c>[bot]</c>) whose pull requests are trusted. Default none.</summary>
    public ImmutableArray<string> TrustedApps { get; init; } = [];

    /// <summary>Where the greeting sends outsiders to join; default the organisation's people page.</summary>
    public string? JoinOrgUrl { get; init; }

    /// <summary><c>/ok-to-test</c> is not honoured: outsiders' pull requests run only on <c>/test</c> by trusted users. Default false.</summary>
    public bool IgnoreOkToTest { get; init; }

    /// <summary>
    /// <c>ok-to-test</c> holds across pushes, as in Prow. Default false: a push by an outsider
    /// takes the label off, and the new commit needs a new <c>/ok-to-test</c>.
    /// </summary>
    public bool OkToTestPersists { get; init; }
}
