namespace Mothership.Cloud.Drift;

/// <summary>How <see cref="HelmProcessRunner"/> runs helm.</summary>
public sealed record HelmProcessRunnerOptions
{
    /// <summary>The helm executable, a path or a name looked up on <c>PATH</c>. Default <c>helm</c>.</summary>
    public string Executable { get; init; } = "helm";

    /// <summary>How long one call may take before helm is killed and the call fails. Default 60 seconds.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The most standard output kept (characters); more fails the call rather than filling memory. Default 16 MiB.</summary>
    public int MaxOutput { get; init; } = 16 * 1024 * 1024;

    /// <summary>The most of helm's error output kept (characters; the rest is cut). Default 4 KiB.</summary>
    public int MaxError { get; init; } = 4 * 1024;
}
