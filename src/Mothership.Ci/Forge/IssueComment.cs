namespace Mothership.Ci.Forge;

/// <summary>A comment on an issue or a pull request's conversation.</summary>
/// <param name="Id">The forge's id, to edit or delete it.</param>
/// <param name="Author">The login of who wrote it.</param>
/// <param name="Body">Its Markdown text.</param>
/// <param name="CreatedAt">When it was written.</param>
/// <param name="UpdatedAt">When it last changed (the creation time when never edited).</param>
/// <param name="HtmlUrl">Its page, or null.</param>
public sealed record IssueComment(long Id, string Author, string Body, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string? HtmlUrl);
