using Microsoft.AspNetCore.Http;

namespace Mothership.Server.Access;

/// <summary>Where a decision's request came from, as the audit log names it.</summary>
internal static class AccessSources
{
    /// <summary>The header the dashboard's requests carry (<c>X-Mothership-Client: dashboard</c>).</summary>
    public const string ClientHeader = "X-Mothership-Client";

    /// <summary>A request to the REST API (the CLI, scripts).</summary>
    public const string Api = "api";

    /// <summary>A request of the dashboard.</summary>
    public const string Dashboard = "dashboard";

    /// <summary>A label or a command on GitHub (the deploy plugin).</summary>
    public const string GitHub = "github";

    /// <summary>The source of an HTTP request: <see cref="Dashboard"/> when it says so, else <see cref="Api"/>. Self-declared: it labels, it never grants.</summary>
    public static string Of(HttpRequest request) =>
        string.Equals(request.Headers[ClientHeader].ToString(), Dashboard, StringComparison.OrdinalIgnoreCase) ? Dashboard : Api;
}
