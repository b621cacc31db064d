using System.CommandLine;
using Mothership.Executors.Kubernetes;

namespace Mothership.Cli.Commands;

/// <summary>The flags of the Kubernetes executor, the same on <c>mship run</c> and <c>mship server</c>; checked as they are parsed.</summary>
internal sealed class KubernetesFlags
{
    public KubernetesFlags(string namespaceDefault)
    {
        Namespace = new Option<string?>("--namespace") { Description = $"with --executor kubernetes: namespace of the TaskRun pods (default: {namespaceDefault}, else default)" };
        ResultsFrom.AcceptOnlyFromAmong("termination-message", "sidecar-logs");
        MaxResultSize.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1 or > KubernetesExecutorOptions.MaxResultSizeLimit)
            {
                r.AddError($"--max-result-size: between 1 and {KubernetesExecutorOptions.MaxResultSizeLimit} bytes (1.5 MiB, Tekton's ceiling)");
            }
        });
        Registries.Validators.Add(r =>
        {
            if (KubernetesExecutorOptions.ParseRegistries(r.GetValueOrDefault<string[]>() ?? [], out var error) is null)
            {
                r.AddError($"--registry: {error}");
            }
        });
    }

    public Option<string?> Kubeconfig { get; } = new("--kubeconfig") { Description = "with --executor kubernetes: kubeconfig file (default: in-cluster, else $KUBECONFIG or ~/.kube/config)" };

    public Option<string?> Context { get; } = new("--kube-context") { Description = "with --executor kubernetes: kubeconfig context (default: the current one)" };

    public Option<string?> Namespace { get; }

    public Option<string?> ResultsFrom { get; } = new("--results-from") { Description = "with --executor kubernetes: termination-message (default: all results of a TaskRun together at most 4 KiB, as Tekton) or sidecar-logs (each result at most --max-result-size)" };

    public Option<int?> MaxResultSize { get; } = new("--max-result-size") { Description = "with --results-from sidecar-logs: the most bytes of one result (default 4096, at most 1.5 MiB)" };

    public Option<string[]> Registries { get; } = new("--registry") { Description = "with --executor kubernetes: HOST=URL, where registry HOST's API answers (a mirror), to read the config of an image whose step has no command; repeatable" };

    public void AddTo(Command command)
    {
        foreach (var option in (Option[])[Kubeconfig, Context, Namespace, ResultsFrom, MaxResultSize, Registries])
        {
            command.Options.Add(option);
        }
    }
}
