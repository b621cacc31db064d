using System.Collections.Immutable;
using Mothership.Model.Tekton;

namespace Mothership.Cloud.Promotion;

/// <summary>
/// <c>cloud.yaml</c>'s <c>spec.promotion</c>: the order a revision travels through the
/// environments, and where deployment pull requests open. The first environment deploys on
/// demand; each next one gets a deployment pull request per site once the revision is deployed
/// successfully to every site of the one before.
/// </summary>
public sealed record PromotionPolicy : Located
{
    /// <summary>The default label of an environment: <c>area/&lt;cloud&gt;/&lt;environment&gt;</c>.</summary>
    public static string DefaultLabel(string cloud, string environment) => $"area/{cloud}/{environment}";

    /// <summary><c>OWNER/NAME</c> of the site repository on GitHub; null: the server derives it from the repository's URL.</summary>
    public string? Repository { get; init; }

    /// <summary>The branch deployment pull requests target (default <c>main</c>).</summary>
    public string Branch { get; init; } = "main";

    /// <summary>The environments in promotion order (at least two).</summary>
    public ImmutableArray<PromotionStage> Environments { get; init; } = [];

    /// <summary>The environment after <paramref name="environment"/>; null for the last one or one not in the chain.</summary>
    public PromotionStage? Next(string environment)
    {
        var index = Position(environment);
        return index >= 0 && index + 1 < Environments.Length ? Environments[index + 1] : null;
    }

    /// <summary>The environment before <paramref name="environment"/>; null for the first one or one not in the chain.</summary>
    public PromotionStage? Previous(string environment)
    {
        var index = Position(environment);
        return index > 0 ? Environments[index - 1] : null;
    }

    /// <summary>Where <paramref name="environment"/> is in the chain; -1 when it is not.</summary>
    public int Position(string environment)
    {
        for (var i = 0; i < Environments.Length; i++)
        {
            if (Environments[i].Environment == environment)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The environment whose deploys <paramref name="label"/> starts; null when no environment uses it.</summary>
    public PromotionStage? ForLabel(string label) => Environments.FirstOrDefault(e => string.Equals(e.Label, label, StringComparison.OrdinalIgnoreCase));
}
