namespace Mothership.Server.Promotion;

/// <summary>A site's open deployment pull request, as the sites API shows it.</summary>
internal sealed record OpenDeployment(int Number, string Title, string Link, string? Revision);
