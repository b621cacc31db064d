namespace Mothership.Cloud.Charts;

/// <summary>What a chart's component waits for.</summary>
public enum NeedKind
{
    /// <summary><c>dependencies.static.&lt;c&gt;.services[].service</c>: an endpoint type (oslo_db, identity, …).</summary>
    Endpoint,

    /// <summary><c>dependencies.static.&lt;c&gt;.pod[].labels.application</c>: pods of another chart.</summary>
    Pod,

    /// <summary><c>dependencies.static.&lt;c&gt;.jobs[]</c>: a job by name.</summary>
    Job,
}
