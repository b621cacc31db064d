namespace Mothership.Ci.Forge;

/// <summary>What a check run shows on its page: a title, a Markdown summary, and annotations on files.</summary>
/// <param name="Title">The one-line title.</param>
/// <param name="Summary">The summary (Markdown).</param>
/// <param name="Annotations">Lines to mark in the pull request's files; GitHub takes at most <see cref="MaxAnnotations"/> a request.</param>
public sealed record CheckRunOutput(string Title, string Summary, IReadOnlyList<CheckAnnotation> Annotations)
{
    /// <summary>The most annotations GitHub takes in one request.</summary>
    public const int MaxAnnotations = 50;

    /// <summary>The longest summary GitHub takes (65,535 characters).</summary>
    public const int MaxSummary = 65_535;
}
