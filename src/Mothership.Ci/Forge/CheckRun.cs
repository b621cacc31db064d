namespace Mothership.Ci.Forge;

/// <summary>A check run as the forge holds it.</summary>
/// <param name="Id">The forge's id, by which it is updated.</param>
/// <param name="Name">Its name.</param>
/// <param name="HeadSha">The commit it reports on.</param>
/// <param name="Status">Where it stands.</param>
/// <param name="Conclusion">How it ended; null before it completed.</param>
/// <param name="ExternalId">The reporter's own id, or null.</param>
/// <param name="DetailsUrl">The link behind "Details", or null.</param>
public sealed record CheckRun(long Id, string Name, string HeadSha, CheckRunStatus Status, CheckRunConclusion? Conclusion, string? ExternalId, string? DetailsUrl);
