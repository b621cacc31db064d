namespace Mothership.Testing.GitHub;

/// <summary>A commit status as the fake stores it.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Sha">The commit it is on.</param>
/// <param name="State">pending, success, failure or error.</param>
/// <param name="Context">The reporter's name.</param>
/// <param name="Description">The text, or null.</param>
/// <param name="TargetUrl">The link, or null.</param>
/// <param name="Creator">The login that reported it.</param>
/// <param name="CreatedAt">When it was reported.</param>
public sealed record FakeStatus(long Id, string Sha, string State, string Context, string? Description, string? TargetUrl, string Creator, DateTimeOffset CreatedAt);
