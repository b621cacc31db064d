namespace Mothership.Testing.GitHub;

/// <summary>Failures a test injects into a running <see cref="FakeGitHub"/>.</summary>
public sealed class FakeGitHubFaults
{
    private readonly FaultRules<RecordedRequest, GitHubFault> _rules = new();

    internal FakeGitHubFaults()
    {
    }

    /// <summary>
    /// Fails the next <paramref name="count"/> requests with <paramref name="method"/> (<c>*</c> for
    /// any) whose path matches <paramref name="pathPattern"/>, where <c>*</c> stands for one segment
    /// and a trailing <c>/**</c> for any rest (<c>/repos/o/r/issues/*/labels</c>). The path is the
    /// one without <c>/api/v3</c>. <paramref name="retryAfter"/> (default 1 second) is the
    /// Retry-After of a rate limit, or the time to the quota's reset for <see cref="GitHubFault.PrimaryRateLimit"/>.
    /// </summary>
    public void FailNext(int count, string method, string pathPattern, GitHubFault fault = GitHubFault.SecondaryRateLimit, TimeSpan? retryAfter = null)
    {
        ArgumentNullException.ThrowIfNull(pathPattern);
        _rules.Add(count, r => (method == "*" || string.Equals(r.Method, method, StringComparison.OrdinalIgnoreCase)) && FaultRules<RecordedRequest, GitHubFault>.PathMatches(pathPattern, r.Path),
            fault, retryAfter ?? TimeSpan.FromSeconds(1));
    }

    /// <summary>The failure to answer <paramref name="request"/> with, consuming one of its rule's count; null to serve it.</summary>
    internal (GitHubFault Fault, TimeSpan RetryAfter)? Take(RecordedRequest request) => _rules.Take(request);
}
