namespace Mothership.Testing.GitHub;

/// <summary>A check run as the fake stores it.</summary>
public sealed record FakeCheckRun
{
    public required long Id { get; init; }

    public required string HeadSha { get; init; }

    public required string Name { get; init; }

    /// <summary>queued, in_progress or completed.</summary>
    public required string Status { get; init; }

    /// <summary>success, failure, cancelled, neutral…; null before it completed.</summary>
    public string? Conclusion { get; init; }

    public string? DetailsUrl { get; init; }

    public string? ExternalId { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public string? Title { get; init; }

    public string? Summary { get; init; }

    public string? Text { get; init; }

    /// <summary>Every annotation sent, in order (GitHub appends those of each update).</summary>
    public IReadOnlyList<FakeCheckAnnotation> Annotations { get; init; } = [];

    /// <summary>How many times it was updated.</summary>
    public int Updates { get; init; }
}
