namespace Mothership.Testing.GitHub;

/// <summary>A release the code under test published.</summary>
public sealed record FakeRelease(long Id, string Tag, string Target, string Name, string Body, string Author, DateTimeOffset CreatedAt);
