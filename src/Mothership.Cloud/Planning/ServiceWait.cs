namespace Mothership.Cloud.Planning;

/// <summary>A wait of service <paramref name="From"/> on service <paramref name="To"/>, and where it was declared (a chart's wait or <c>cloud.yaml</c>).</summary>
public sealed record ServiceWait(string From, string To, string Origin);
