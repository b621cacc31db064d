namespace Mothership.Cloud.Drift;

/// <summary>What one <c>helm</c> call gave: its standard output when it succeeded, else why it failed (helm's error text, a timeout, helm not found).</summary>
public sealed record HelmResult(bool Succeeded, string Output, string Error)
{
    public static HelmResult Success(string output) => new(true, output, "");

    public static HelmResult Failure(string error) => new(false, "", error);
}
