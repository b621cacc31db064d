using Mothership.Engine.Execution;
using Mothership.Model.Secrets;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Status;

/// <summary>
/// What a run's objects and events never show, whoever serves them (the API, <c>mship run -o json</c>):
/// the values of every Secret the run's files carry, and of its params whose names look secret
/// (<see cref="SecretNames"/>, unless listed in <c>mothership.io/plain-params</c>). Results a step
/// wrote from a Secret are masked too; the engine keeps the real values for the tasks that read them.
/// </summary>
public static class RunSecrets
{
    /// <summary>The masker of a PipelineRun or TaskRun with its resolved (or given) params.</summary>
    public static SecretMasker Masker(ResourceSet resources, Resource run, IEnumerable<KeyValuePair<string, ParamValue>> parameters)
    {
        ArgumentNullException.ThrowIfNull(resources);
        ArgumentNullException.ThrowIfNull(run);
        var masker = new SecretMasker();
        foreach (var value in resources.Secrets.SelectMany(s => s.Data.Values).Concat(SecretNames.Values(parameters, SecretNames.Plain(run.Metadata.Annotations))))
        {
            masker.Add(value);
        }

        return masker;
    }

    /// <summary>The masker of a run as submitted: its Secrets and the params it gives, and the defaults of the secret-looking params its Pipeline or Task declares.</summary>
    public static SecretMasker Masker(ResourceSet resources, Resource run)
    {
        var (given, declared) = run switch
        {
            PipelineRun pr => (pr.Spec.Params, Preparation.RunPreparation.PipelineOf(pr, resources)?.Params ?? []),
            TaskRun tr => (tr.Spec.Params, Preparation.RunPreparation.TaskOf(tr, resources)?.Params ?? []),
            _ => ([], []),
        };
        var parameters = given.Select(p => KeyValuePair.Create(p.Name, p.Value))
            .Concat(declared.Where(d => d.Default is not null).Select(d => KeyValuePair.Create(d.Name, d.Default!)));
        return Masker(resources, run, parameters);
    }
}
