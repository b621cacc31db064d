using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Mothership.Model.Validation;

using Mothership.Store;

namespace Mothership.Server.Api;

/// <summary>Request helpers shared by the endpoints.</summary>
internal static class ApiContext
{
    /// <summary>
    /// Who the audit trail names: the authenticated caller's name (<see cref="Identity.MothershipClaims.Name"/>)
    /// when a credential was accepted; otherwise, on a server without authentication, the
    /// self-declared <c>X-Mothership-Actor</c> header (the CLI sends the user's login), else <c>anonymous</c>.
    /// </summary>
    public static string Actor(HttpContext context)
    {
        if (Identity.MothershipClaims.NameOf(context.User) is { } name)
        {
            return name;
        }

        // Without control characters: the audit trail is read in terminals and logs.
        var actor = new string([.. context.Request.Headers["X-Mothership-Actor"].ToString().Where(c => !KubernetesNames.NeedsEscape(c))]).Trim();
        return actor.Length == 0 ? "anonymous" : actor[..Math.Min(actor.Length, 100)];
    }

    /// <summary>The request's body as text; <paramref name="leaveOpen"/> keeps the stream open (a buffered body read twice).</summary>
    public static async Task<string> BodyAsync(HttpRequest request, CancellationToken cancellationToken, bool leaveOpen = false)
    {
        using var reader = new StreamReader(request.Body, leaveOpen: leaveOpen);
        return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The summary of the run a request names (no manifest, no object: megabytes for a 10,000-task
    /// run), read once: the access check stores what it read (<see cref="RememberRun"/>) and the
    /// handler takes it from there.
    /// </summary>
    public static async Task<RunSummary?> RunSummaryAsync(HttpContext context, IRunStore store, string kind, string name, CancellationToken cancellationToken) =>
        Remembered(context, kind, name) ?? await store.GetRunSummaryAsync(kind, name, cancellationToken).ConfigureAwait(false);

    /// <summary>The whole run a request names (<see cref="RunSummaryAsync"/> when the summary will do).</summary>
    public static async Task<RunRecord?> RunAsync(HttpContext context, IRunStore store, string kind, string name, CancellationToken cancellationToken) =>
        Remembered(context, kind, name) as RunRecord ?? await store.GetRunAsync(kind, name, cancellationToken).ConfigureAwait(false);

    /// <summary>Keeps the run the request names for <see cref="RunSummaryAsync"/> and <see cref="RunAsync"/>.</summary>
    public static void RememberRun(HttpContext context, RunSummary run) => context.Items[typeof(RunSummary)] = run;

    private static RunSummary? Remembered(HttpContext context, string kind, string name) =>
        context.Items.TryGetValue(typeof(RunSummary), out var item) && item is RunSummary run && run.Kind == kind && run.Name == name ? run : null;

    /// <summary>The URL segment of a kind: <c>pipelineruns</c> → <c>PipelineRun</c>.</summary>
    public static string? RunKind(string segment) => segment switch
    {
        "pipelineruns" => "PipelineRun",
        "taskruns" => "TaskRun",
        _ => null,
    };

    /// <summary>
    /// Refuses, before any handler runs, a request whose URL names a run or definition by a name
    /// no object can have (<see cref="KubernetesNames.IsTektonName"/>): 400 with the rule, instead
    /// of a lookup that cannot succeed or a name that ends up in a header or a file name.
    /// </summary>
    public static async ValueTask<object?> CheckNameAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (context.HttpContext.Request.RouteValues.TryGetValue("name", out var value) && value is string name && !KubernetesNames.IsTektonName(name))
        {
            return Problems.BadRequest($"name: {KubernetesNames.Quote(name)} is not a name a run or definition can have "
                + "(at most 63 lower-case letters, digits, '-' and '.', each '.'-separated part starting and ending with a letter or digit)");
        }

        return await next(context).ConfigureAwait(false);
    }

    /// <summary>Query parameter <paramref name="key"/> as <c>true</c> or <c>false</c>; null when absent, a 400 problem when it is neither.</summary>
    public static bool TryBool(HttpRequest request, string key, out bool? value, [NotNullWhen(false)] out IResult? problem)
    {
        value = null;
        problem = null;
        var text = request.Query[key].ToString();
        if (text.Length == 0)
        {
            return true;
        }

        if (bool.TryParse(text, out var parsed))
        {
            value = parsed;
            return true;
        }

        problem = Problems.BadRequest($"{key}: {KubernetesNames.Quote(text)} is neither true nor false");
        return false;
    }

    /// <summary>Query parameter <paramref name="key"/> as a whole number from <paramref name="min"/> to <paramref name="max"/>; null when absent.</summary>
    public static bool TryNumber(HttpRequest request, string key, long min, long max, out long? value, [NotNullWhen(false)] out IResult? problem)
    {
        value = null;
        problem = null;
        var text = request.Query[key].ToString();
        if (text.Length == 0)
        {
            return true;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed >= min && parsed <= max)
        {
            value = parsed;
            return true;
        }

        problem = Problems.BadRequest($"{key}: {KubernetesNames.Quote(text)} is not a number from {min} to {max}");
        return false;
    }

    /// <summary>
    /// Query parameter <paramref name="key"/> as a name that passes <paramref name="valid"/>
    /// (<paramref name="rule"/> says which); null when absent. Names go into file names and
    /// headers, so nothing else gets through.
    /// </summary>
    public static bool TryName(HttpRequest request, string key, Func<string, bool> valid, string rule, out string? value, [NotNullWhen(false)] out IResult? problem)
    {
        value = null;
        problem = null;
        var text = request.Query[key].ToString();
        if (text.Length == 0)
        {
            return true;
        }

        if (valid(text))
        {
            value = text;
            return true;
        }

        problem = Problems.BadRequest($"{key}: {KubernetesNames.Quote(text)} is not a valid name ({rule})");
        return false;
    }

    public static string? ResourceKind(string segment) => segment switch
    {
        "tasks" => "Task",
        "pipelines" => "Pipeline",
        "stepactions" => "StepAction",
        _ => null,
    };
}
