namespace Mothership.Model.Tekton.Vocabulary;

/// <summary>The status of a Kubernetes condition, and the one condition type Tekton's runs have.</summary>
public static class ConditionStatus
{
    /// <summary>The condition type of a run's outcome.</summary>
    public const string Succeeded = "Succeeded";

    public const string True = "True";

    public const string False = "False";

    public const string Unknown = "Unknown";
}
