using Microsoft.AspNetCore.Http;

namespace Mothership.Server.Api;

/// <summary>Request helpers shared by the endpoints.</summary>
internal static class ApiContext
{
    /// <summary>
    /// Who the audit trail names: the <c>X-Mothership-Actor</c> header (the CLI sends the user's
    /// login), else <c>anonymous</c>. Self-declared: the bearer token authenticates the client,
    /// not the person (per-user identities come with site permissions, roadmap step 8).
    /// </summary>
    public static string Actor(HttpContext context)
    {
        var actor = context.Request.Headers["X-Mothership-Actor"].ToString();
        return string.IsNullOrWhiteSpace(actor) ? "anonymous" : actor.Trim()[..Math.Min(actor.Trim().Length, 100)];
    }

    public static async Task<string> BodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body);
        return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The URL segment of a kind: <c>pipelineruns</c> → <c>PipelineRun</c>.</summary>
    public static string? RunKind(string segment) => segment switch
    {
        "pipelineruns" => "PipelineRun",
        "taskruns" => "TaskRun",
        _ => null,
    };

    public static string? ResourceKind(string segment) => segment switch
    {
        "tasks" => "Task",
        "pipelines" => "Pipeline",
        "stepactions" => "StepAction",
        _ => null,
    };
}
