namespace Mothership.Server.Retention;

/// <summary>
/// The statuses (of Tekton's Succeeded condition) that retention tells apart: the store compares
/// statuses without interpreting them, so the server names the ones that mean success and failure.
/// Local until the Model names the condition's statuses.
/// </summary>
internal static class RunOutcomeStatuses
{
    public const string Succeeded = "True";

    public const string Failed = "False";
}
