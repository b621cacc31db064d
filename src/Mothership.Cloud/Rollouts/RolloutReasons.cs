namespace Mothership.Cloud.Rollouts;

/// <summary>The reasons of rollout transitions, one constant each (never spelled twice), as the store and the API show them.</summary>
public static class RolloutReasons
{
    public const string WaveStarted = "WaveStarted";
    public const string Queued = "Queued";
    public const string WaitingForWindow = "WaitingForWindow";
    public const string WaitingForApproval = "WaitingForApproval";
    public const string DeployStarted = "DeployStarted";
    public const string DeploySucceeded = "DeploySucceeded";
    public const string DeployFailed = "DeployFailed";
    public const string BakeTimeElapsed = "BakeTimeElapsed";
    public const string BakePassed = "BakePassed";
    public const string BakeFailed = "BakeFailed";
    public const string CanaryFailed = "CanaryFailed";
    public const string FailureBudgetExceeded = "FailureBudgetExceeded";
    public const string Halted = "Halted";
    public const string HaltLifted = "HaltLifted";
    public const string Retried = "Retried";
    public const string Paused = "Paused";
    public const string Resumed = "Resumed";
    public const string Aborted = "Aborted";
    public const string Completed = "Completed";
}
