namespace Mothership.Model.Tekton.Vocabulary;

/// <summary>
/// How Tekton names a task's steps and sidecars and the containers that run them:
/// <c>unnamed-INDEX</c> for a step or sidecar without a name, <c>step-NAME</c> and <c>sidecar-NAME</c>
/// for its container. Logs, status and pods all use these names.
/// </summary>
public static class ContainerNames
{
    public const string StepPrefix = "step-";

    public const string SidecarPrefix = "sidecar-";

    /// <summary>The name of the step or sidecar at <paramref name="index"/>: its own, else <c>unnamed-INDEX</c>.</summary>
    public static string NameOf(Step step, int index)
    {
        ArgumentNullException.ThrowIfNull(step);
        return string.IsNullOrEmpty(step.Name) ? $"unnamed-{index}" : step.Name;
    }

    /// <summary>The names of <paramref name="steps"/>, in order.</summary>
    public static IReadOnlyList<string> NamesOf(IReadOnlyList<Step> steps) => [.. steps.Select(NameOf)];

    public static string Step(string name) => StepPrefix + name;

    public static string Sidecar(string name) => SidecarPrefix + name;

    public static bool IsStep(string container) => container.StartsWith(StepPrefix, StringComparison.Ordinal);

    public static bool IsSidecar(string container) => container.StartsWith(SidecarPrefix, StringComparison.Ordinal);

    /// <summary>The step or sidecar name a container runs (<c>step-build</c> → <c>build</c>); other names as they are.</summary>
    public static string Unprefixed(string container) =>
        IsStep(container) ? container[StepPrefix.Length..] : IsSidecar(container) ? container[SidecarPrefix.Length..] : container;
}
