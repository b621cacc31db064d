using Microsoft.AspNetCore.Routing;
using Mothership.Server.Access;
using Mothership.Server.Hosting;

namespace Mothership.Server.Tests.Access;

/// <summary>
/// Every endpoint of the API goes through the access policy: it carries the seam
/// (<c>RequireAccess</c>) or says it decides in its handler (a list that filters, whoami, can-i).
/// A new endpoint that forgets both fails here instead of being open once a policy is in force.
/// </summary>
public sealed class AccessCoverageTests
{
    [Fact(Timeout = 30_000)]
    public async Task ApiEndpoints_EveryOne_IsUnderTheAccessPolicy()
    {
        await using var app = ServerHost.Build(new Dictionary<string, string?>());
        var endpoints = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true)
            .ToList();

        var open = endpoints.Where(e => e.Metadata.GetMetadata<AccessRequiredMetadata>() is null)
            .Select(e => $"{string.Join(",", e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [])} {e.RoutePattern.RawText}")
            .ToList();

        Assert.True(endpoints.Count > 40, $"only {endpoints.Count} API endpoints found: the test no longer sees the API");
        Assert.True(open.Count == 0, "endpoints outside the access policy: " + string.Join("; ", open));
    }
}
