namespace Mothership.Ci.Forge;

/// <summary>A published release of a tag.</summary>
/// <param name="Id">The forge's id.</param>
/// <param name="Tag">The tag it releases.</param>
/// <param name="Name">Its title.</param>
/// <param name="Body">Its notes (markdown).</param>
/// <param name="Link">Its page.</param>
public sealed record Release(long Id, string Tag, string Name, string Body, string Link);
