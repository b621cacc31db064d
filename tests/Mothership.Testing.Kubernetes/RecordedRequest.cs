using Microsoft.AspNetCore.WebUtilities;

namespace Mothership.Testing.Kubernetes;

/// <summary>
/// A request the fake received, in arrival order: enough to count API calls by verb and resource
/// (<c>api.Requests.Count(r => r.IsWrite &amp;&amp; r.Resource == "pods")</c>).
/// </summary>
/// <param name="Method">The HTTP method: GET, POST, PUT, PATCH or DELETE.</param>
/// <param name="Path">The path, such as <c>/api/v1/namespaces/default/pods/p1/log</c>.</param>
/// <param name="Query">The query string with its leading <c>?</c>, or empty.</param>
/// <param name="At">When it arrived, by the fake's clock.</param>
public sealed record RecordedRequest(string Method, string Path, string Query, DateTimeOffset At)
{
    /// <summary>The path's segments after its group version (<c>api/v1</c>, <c>apis/GROUP/VERSION</c>).</summary>
    private string[] Segments => Path.Trim('/').Split('/') switch
    {
        ["api", "v1", .. var rest] => rest,
        ["apis", _, _, .. var rest] => rest,
        _ => [],
    };

    /// <summary>The namespace in the path, or null for a cluster-wide request.</summary>
    public string? Namespace => Segments is ["namespaces", var ns, ..] ? ns : null;

    /// <summary>The resource plural (<c>pods</c>, <c>events</c>…), or null when the path names none.</summary>
    public string? Resource => Segments switch
    {
        ["namespaces", _, var r, ..] => r,
        [var r] when r != "namespaces" => r,
        _ => null,
    };

    /// <summary>The object's name, or null for a collection.</summary>
    public string? Name => Segments is ["namespaces", _, _, var name, ..] ? name : null;

    /// <summary>The subresource (<c>log</c>), or null.</summary>
    public string? Subresource => Segments is ["namespaces", _, _, _, var sub] ? sub : null;

    /// <summary>Whether this is a watch (<c>watch=true</c> or <c>watch=1</c>).</summary>
    public bool IsWatch => QueryHelpers.ParseQuery(Query).TryGetValue("watch", out var w) && w.ToString() is "true" or "1";

    /// <summary>Whether this changes something: POST, PUT, PATCH or DELETE.</summary>
    public bool IsWrite => Method is "POST" or "PUT" or "PATCH" or "DELETE";
}
