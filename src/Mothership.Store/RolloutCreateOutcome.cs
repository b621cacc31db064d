namespace Mothership.Store;

/// <summary>How <see cref="IRunStore.CreateRolloutAsync"/> answered.</summary>
public enum RolloutCreateOutcome
{
    /// <summary>Stored.</summary>
    Created,

    /// <summary>A rollout of that name exists.</summary>
    NameTaken,

    /// <summary>Another rollout of the environment is active.</summary>
    EnvironmentBusy,
}
