namespace Mothership.Testing.GitHub;

/// <summary>A repository's label as the fake stores it.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Name">Its name (unique in the repository, compared without case).</param>
/// <param name="Color">Six hex digits without <c>#</c>.</param>
/// <param name="Description">Its description, or null.</param>
/// <param name="Default">Whether GitHub created it with the repository.</param>
public sealed record FakeLabel(long Id, string Name, string Color, string? Description, bool Default);
