using Mothership.Model.Tekton;

namespace Mothership.Engine.Preparation;

/// <summary>A run ready to start: named, its Pipeline or Task found, its params resolved and its workspaces checked.</summary>
public abstract record PreparedRun
{
    /// <summary>The run, named, as it will be shown and stored.</summary>
    public abstract Resource Resource { get; }

    /// <summary>Everything the run may reference: its Tasks, Pipelines, StepActions, ConfigMaps, Secrets.</summary>
    public required ResourceSet Resources { get; init; }
}
