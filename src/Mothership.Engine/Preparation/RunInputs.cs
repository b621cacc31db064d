using System.Collections.Immutable;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Preparation;

/// <summary>Params and workspaces given when a run starts (<c>mship run -p/-w</c>); each wins over the run's own of the same name.</summary>
public sealed record RunInputs
{
    public ImmutableArray<Param> Params { get; init; } = [];

    public ImmutableArray<WorkspaceBinding> Workspaces { get; init; } = [];
}
