namespace Mothership.Cloud.Drift;

/// <summary>Runs <c>helm</c> with arguments and returns what it printed: the edge the drift check reads the cluster through.</summary>
public interface IHelmRunner
{
    /// <summary>Runs <c>helm ARGUMENTS</c>. Never throws for helm's own failures (not found, non-zero exit, timeout): they come back as a failed <see cref="HelmResult"/>.</summary>
    Task<HelmResult> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken);
}
