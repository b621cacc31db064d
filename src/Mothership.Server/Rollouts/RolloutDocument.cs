using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using Mothership.Cloud.Rollouts;

namespace Mothership.Server.Rollouts;

/// <summary>
/// What the store keeps of a rollout (<see cref="Store.RolloutRecord.Document"/>): the decider's
/// state, the plan as it was built (for showing; the decider's plan is rebuilt from the revision,
/// the same inputs giving the same plan), and the run doing each site's current deploy or bake
/// check, so a restarted server finds them rather than starting them again.
/// </summary>
internal sealed record RolloutDocument
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public required RolloutState State { get; init; }

    /// <summary>The plan's waves as built when the rollout started.</summary>
    public ImmutableArray<WaveView> Waves { get; init; } = [];

    /// <summary>Site → region.</summary>
    public ImmutableDictionary<string, string> Regions { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>Site → the run of its current attempt's deploy.</summary>
    public ImmutableDictionary<string, RolloutWork> Deploys { get; init; } = ImmutableDictionary<string, RolloutWork>.Empty;

    /// <summary>Site → the run of its current attempt's bake check.</summary>
    public ImmutableDictionary<string, RolloutWork> Bakes { get; init; } = ImmutableDictionary<string, RolloutWork>.Empty;

    /// <summary>Gate id → when it was approved.</summary>
    public ImmutableDictionary<string, DateTimeOffset> ApprovedAt { get; init; } = ImmutableDictionary<string, DateTimeOffset>.Empty;

    public string Serialize() => JsonSerializer.Serialize(this, Json);

    public static RolloutDocument Parse(string json) => JsonSerializer.Deserialize<RolloutDocument>(json, Json) ?? throw new JsonException("empty rollout document");

    /// <summary>A wave as shown: its name, sites and the roles of its gate (empty: none).</summary>
    internal sealed record WaveView(string Name, ImmutableArray<string> Sites, ImmutableArray<string> GateRoles);
}

/// <summary>The run doing one attempt of a site's deploy or bake check (<see cref="DeployId"/>: the site deploy's id, for deploys).</summary>
internal sealed record RolloutWork(int Attempt, string RunUid, string RunName, string? DeployId);
