namespace Mothership.Testing.GitHub;

/// <summary>A request the fake received, in arrival order.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path without GitHub Enterprise's <c>/api/v3</c> prefix, decoded (<c>/repos/o/r/issues/1/labels</c>).</param>
/// <param name="Query">The query string with its leading <c>?</c>, or empty.</param>
/// <param name="Body">The body as text, or empty.</param>
/// <param name="Accept">The Accept header, or empty.</param>
/// <param name="Authorization">The Authorization header, or empty.</param>
/// <param name="At">When it arrived, by the fake's clock.</param>
public sealed record RecordedRequest(string Method, string Path, string Query, string Body, string Accept, string Authorization, DateTimeOffset At);
