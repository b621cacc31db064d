using Mothership.Engine.Preparation;
using Mothership.Engine.Resolution.Remote;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;
using Mothership.Store;

namespace Mothership.Server.Runs;

/// <summary>A stored run's manifest read back: the run (with its stored name) and the definitions frozen with it.</summary>
internal sealed record RunManifest(ResourceSet Resources, Resource Run, IReadOnlyList<Diagnostic> Errors)
{
    public static RunManifest Load(RunRecord record)
    {
        var bag = new DiagnosticBag();
        var (frozen, resources) = FrozenResolutions.Split(new ResourceSet { All = [.. ResourceLoader.Load("manifest", record.Manifest, bag)] });
        var run = resources.All.FirstOrDefault(r => r is PipelineRun or TaskRun);
        run = run is null ? null : run with { Metadata = run.Metadata with { Name = record.Name, GenerateName = null } };
        if (run is not null)
        {
            // What the intake fetched, inlined again without the network (cluster refs named again): the run runs what was validated.
            var inlined = RemoteInliner.Inline(run, resources, frozen, [], bag);
            if (inlined.Missing.Length > 0)
            {
                bag.Error(run.Location, $"the manifest lacks what these remote refs resolved to: {string.Join("; ", inlined.Missing)}");
            }

            run = inlined.Run;
            resources = resources with { All = [.. resources.All, .. inlined.Added] };
        }

        return new RunManifest(resources, run!, bag.HasErrors || run is null ? [.. bag.Items] : []);
    }

    /// <summary>The pipeline a PipelineRun runs: embedded, or the frozen referenced Pipeline.</summary>
    public PipelineSpec? PipelineSpec => Run is PipelineRun pr ? RunPreparation.PipelineOf(pr, Resources) : null;
}
