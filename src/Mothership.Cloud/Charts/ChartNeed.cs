using Mothership.Model.Diagnostics;

namespace Mothership.Cloud.Charts;

/// <summary>One wait declared by a chart: <paramref name="Target"/> is the endpoint type, application or job.</summary>
public sealed record ChartNeed(NeedKind Kind, string Target, string Component, SourceLocation Location)
{
    public override string ToString() => Kind switch
    {
        NeedKind.Endpoint => $"endpoint {Target} ({Component})",
        NeedKind.Pod => $"pods of {Target} ({Component})",
        _ => $"job {Target} ({Component})",
    };
}
