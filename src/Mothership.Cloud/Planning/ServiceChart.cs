using Mothership.Cloud.Charts;

namespace Mothership.Cloud.Planning;

/// <summary>What <see cref="DeployPlanner"/> needs to know of each enabled service's chart.</summary>
public sealed record ServiceChart(string ChartName, ChartDependencies Dependencies);
