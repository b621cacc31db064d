using System.Net;
using Mothership.Cli.Client;

namespace Mothership.Cli.Commands.Client;

/// <summary>The API's path segment of a kind as users type it, and a run's kind found from its name.</summary>
internal static class RunKinds
{
    /// <summary>A run's kind from its name: PipelineRun first, then TaskRun.</summary>
    public static async Task<(string Segment, string Name)> FindAsync(ApiClient client, string name, CancellationToken ct)
    {
        try
        {
            await client.GetAsync($"api/v1/pipelineruns/{Uri.EscapeDataString(name)}", ct).ConfigureAwait(false);
            return ("pipelineruns", name);
        }
        catch (ApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            try
            {
                await client.GetAsync($"api/v1/taskruns/{Uri.EscapeDataString(name)}", ct).ConfigureAwait(false);
                return ("taskruns", name);
            }
            catch (ApiException again) when (again.Status == HttpStatusCode.NotFound)
            {
                throw new ApiException(HttpStatusCode.NotFound, $"no PipelineRun or TaskRun named '{name}'", []);
            }
        }
    }

    public static string? Segment(string kind) => kind.ToLowerInvariant() switch
    {
        "pipelinerun" or "pipelineruns" or "pr" => "pipelineruns",
        "taskrun" or "taskruns" or "tr" => "taskruns",
        "pipeline" or "pipelines" => "pipelines",
        "task" or "tasks" => "tasks",
        "stepaction" or "stepactions" => "stepactions",
        _ => null,
    };
}
