namespace Mothership.Store;

/// <summary>What <see cref="IRunStore.ApplyResourceAsync"/> did, in kubectl's words.</summary>
public enum ApplyOutcome
{
    Created,
    Configured,
    Unchanged,
}
