using Mothership.Ci.Jobs;
using Mothership.Ci.Triggers;
using Mothership.Model.Tekton;

namespace Mothership.Ci.PipelinesAsCode;

/// <summary>
/// A <c>.tekton/</c> PipelineRun as a job the starter runs: named as PaC names it, with the
/// PipelineRun's own labels, annotations and spec. Unlike a Prow job it gets no Prow environment
/// (PaC runs take their facts from <c>{{ variables }}</c>), and the checkout only when its
/// pipeline declares a <see cref="CloneRefs.Workspace"/> workspace (PaC users usually clone
/// with their own task from <c>{{repo_url}}</c> and <c>{{revision}}</c>).
/// </summary>
public sealed record PacJob : ProwJob
{
    /// <summary>The event type it runs for (label <see cref="PacAnnotations.EventType"/>).</summary>
    public required string EventType { get; init; }

    /// <summary>Whether its pipeline declares the <see cref="CloneRefs.Workspace"/> workspace, which then gets the checkout.</summary>
    public bool WantsCheckout => PipelineRunSpec?.PipelineSpec?.Workspaces.Any(w => w.Name == CloneRefs.Workspace) == true;

    /// <summary>The job of <paramref name="run"/> for an event of <paramref name="eventType"/>.</summary>
    public static PacJob From(PipelineRun run, string eventType)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new PacJob
        {
            Name = PacMatcher.NameOf(run),
            Labels = run.Metadata.Labels,
            Annotations = run.Metadata.Annotations,
            PipelineRunSpec = run.Spec,
            Agent = JobAgents.TektonPipeline,
            EventType = eventType,
        };
    }
}
