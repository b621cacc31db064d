using System.Text.Json.Nodes;
using Mothership.Ci.Triggers;
using Mothership.Engine.Status;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Server.Runs;
using Mothership.Store;

namespace Mothership.Server.Ci;

/// <summary>
/// The CI bot's runs go where the API's go: written as the Tekton document a user would send,
/// through <see cref="RunIntake"/> (the same validation, references and frozen manifest), and
/// cancelled through <see cref="RunController"/>.
/// </summary>
internal sealed class ServerJobRuns(RunIntake intake, RunController controller, IRunStore store) : IJobRuns
{
    public async Task<JobStart> StartAsync(Resource run, IReadOnlyList<DataObject> secrets, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        // The Secrets go in the body as a user's would: stored in the run's manifest, never served, masked in logs.
        var body = string.Join("\n---\n", [Document(run).ToJsonString(), .. secrets.Select(s => SecretDocument(s).ToJsonString())]);
        var result = await intake.CreateAsync(run.Kind, body, actor, cancellationToken).ConfigureAwait(false);
        if (result.Run is { } created)
        {
            controller.Wake();
            return new JobStart(JobStartOutcome.Started, created.Uid);
        }

        if (result.NameTaken)
        {
            var existing = await store.GetRunAsync(run.Kind, run.Metadata.Name!, cancellationToken).ConfigureAwait(false);
            return new JobStart(JobStartOutcome.AlreadyStarted, existing?.Uid);
        }

        var errors = result.Diagnostics.Where(d => d.Severity == Mothership.Model.Diagnostics.Severity.Error).Select(d => d.Message).ToList();
        return new JobStart(JobStartOutcome.Refused, null, string.Join("; ", errors));
    }

    public async Task<bool> ReleaseAsync(RunSummary run, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (!await store.ReleasePendingAsync(run.Uid, actor, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        controller.Wake();
        return true;
    }

    public Task<bool> CancelAsync(RunSummary run, string actor, CancellationToken cancellationToken) =>
        controller.CancelAsync(run, SpecStatus.Cancelled, actor, cancellationToken);

    /// <summary>A Secret as a Kubernetes JSON document, its values as <c>stringData</c>.</summary>
    internal static JsonObject SecretDocument(DataObject secret) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Secret",
        ["metadata"] = new JsonObject { ["name"] = secret.Metadata.Name },
        ["type"] = secret.Type ?? "Opaque",
        ["stringData"] = new JsonObject([.. secret.Data.Select(d => KeyValuePair.Create(d.Key, (JsonNode?)d.Value))]),
    };

    /// <summary>The run as a Tekton JSON document.</summary>
    internal static JsonObject Document(Resource run)
    {
        var metadata = new JsonObject { ["name"] = run.Metadata.Name };
        if (!run.Metadata.Labels.IsEmpty)
        {
            metadata["labels"] = new JsonObject([.. run.Metadata.Labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value))]);
        }

        if (!run.Metadata.Annotations.IsEmpty)
        {
            metadata["annotations"] = new JsonObject([.. run.Metadata.Annotations.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)a.Value))]);
        }

        return new JsonObject
        {
            ["apiVersion"] = run.ApiVersion,
            ["kind"] = run.Kind,
            ["metadata"] = metadata,
            ["spec"] = run switch
            {
                PipelineRun p => SpecJson.ToManifestNode(p.Spec),
                TaskRun t => SpecJson.ToManifestNode(t.Spec),
                _ => throw new ArgumentException($"a job runs as a PipelineRun or TaskRun, not a {run.Kind}", nameof(run)),
            },
        };
    }
}
