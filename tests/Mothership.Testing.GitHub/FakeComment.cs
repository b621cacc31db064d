namespace Mothership.Testing.GitHub;

/// <summary>An issue comment as the fake stores it.</summary>
/// <param name="Id">Its id.</param>
/// <param name="IssueNumber">The issue or pull request it is on.</param>
/// <param name="Author">Who wrote it.</param>
/// <param name="Body">Its text.</param>
/// <param name="CreatedAt">When it was written.</param>
/// <param name="UpdatedAt">When it last changed.</param>
public sealed record FakeComment(long Id, int IssueNumber, string Author, string Body, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
