namespace Mothership.Engine.Resolution.Remote;

/// <summary>
/// What a resolver fetched: the YAML <paramref name="Text"/> and a <paramref name="Source"/> that
/// says where it came from (<c>git:URL@COMMIT:PATH</c>, the URL), used as its file name in diagnostics.
/// </summary>
public sealed record ResolvedDocument(string Source, string Text);
