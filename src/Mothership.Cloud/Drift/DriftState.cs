namespace Mothership.Cloud.Drift;

/// <summary>Whether what runs matches what the site repository says should run, as Argo CD's sync status.</summary>
public enum DriftState
{
    /// <summary>Every release exists with the desired chart version and values.</summary>
    InSync,

    /// <summary>A release is missing, runs another chart version, or its values differ.</summary>
    OutOfSync,

    /// <summary>The cluster could not be asked (helm failed, timed out, answered what cannot be read); the error says why.</summary>
    Unknown,
}
