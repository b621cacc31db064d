using System.Collections.Immutable;

namespace Mothership.Cloud.Access;

/// <summary>
/// The resources an access policy names (the third field of a <c>p</c> line): what a rule is
/// about. Spelled once here; the parser, the CLI and the server's enforcement use these constants.
/// </summary>
public static class AccessResources
{
    /// <summary>PipelineRuns and TaskRuns: started, cancelled, rerun, deleted, read.</summary>
    public const string Runs = "runs";

    /// <summary>Pipeline definitions stored on the server.</summary>
    public const string Pipelines = "pipelines";

    /// <summary>Task definitions stored on the server.</summary>
    public const string Tasks = "tasks";

    /// <summary>Sites of the site repository (their state, history, promotions).</summary>
    public const string Sites = "sites";

    /// <summary>Deploys of a site.</summary>
    public const string Deploys = "deploys";

    /// <summary>Rollouts of a site (waves of a deploy across sites).</summary>
    public const string Rollouts = "rollouts";

    /// <summary>Server settings.</summary>
    public const string Settings = "settings";

    /// <summary>Every resource, in the order error messages list them.</summary>
    public static ImmutableArray<string> All { get; } = [Runs, Pipelines, Tasks, Sites, Deploys, Rollouts, Settings];
}
