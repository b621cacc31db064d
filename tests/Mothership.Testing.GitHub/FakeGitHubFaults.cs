namespace Mothership.Testing.GitHub;

/// <summary>Failures a test injects into a running <see cref="FakeGitHub"/>.</summary>
public sealed class FakeGitHubFaults
{
    private readonly Lock _gate = new();
    private readonly List<Rule> _rules = [];

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
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentNullException.ThrowIfNull(pathPattern);
        lock (_gate)
        {
            _rules.Add(new Rule(
                r => (method == "*" || string.Equals(r.Method, method, StringComparison.OrdinalIgnoreCase)) && PathMatches(pathPattern, r.Path),
                fault,
                retryAfter ?? TimeSpan.FromSeconds(1)) { Remaining = count });
        }
    }

    /// <summary>The failure to answer <paramref name="request"/> with, consuming one of its rule's count; null to serve it.</summary>
    internal (GitHubFault Fault, TimeSpan RetryAfter)? Take(RecordedRequest request)
    {
        lock (_gate)
        {
            var rule = _rules.FirstOrDefault(r => r.Remaining > 0 && r.Match(request));
            if (rule is null)
            {
                return null;
            }

            rule.Remaining--;
            return (rule.Fault, rule.RetryAfter);
        }
    }

    private static bool PathMatches(string pattern, string path)
    {
        var p = pattern.Trim('/').Split('/');
        var s = path.Trim('/').Split('/');
        for (var i = 0; i < p.Length; i++)
        {
            if (p[i] == "**" && i == p.Length - 1)
            {
                return true;
            }

            if (i >= s.Length || (p[i] != "*" && !string.Equals(p[i], s[i], StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return p.Length == s.Length;
    }

    private sealed record Rule(Func<RecordedRequest, bool> Match, GitHubFault Fault, TimeSpan RetryAfter)
    {
        public int Remaining { get; set; }
    }
}
