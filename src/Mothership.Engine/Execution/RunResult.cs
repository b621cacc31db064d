using Mothership.Model.Tekton;

namespace Mothership.Engine.Execution;

/// <summary>A result value, as Tekton's status lists them.</summary>
public sealed record RunResult(string Name, ParamValue Value);
