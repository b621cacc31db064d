namespace Mothership.Testing;

/// <summary>
/// The failures a test asked a fake server (Kubernetes', GitHub's) to answer with: each rule fails
/// the next N requests it matches. Linked into each fake's library, not a test project's.
/// </summary>
/// <typeparam name="TRequest">The fake's recorded request.</typeparam>
/// <typeparam name="TFault">How the fake fails one.</typeparam>
internal sealed class FaultRules<TRequest, TFault>
{
    private readonly Lock _gate = new();
    private readonly List<Rule> _rules = [];

    /// <summary>Fails the next <paramref name="count"/> requests that <paramref name="match"/> accepts.</summary>
    public void Add(int count, Func<TRequest, bool> match, TFault fault, TimeSpan retryAfter)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        lock (_gate)
        {
            _rules.Add(new Rule(match, fault, retryAfter) { Remaining = count });
        }
    }

    /// <summary>The failure to answer <paramref name="request"/> with, consuming one of its rule's count; null to serve it.</summary>
    public (TFault Fault, TimeSpan RetryAfter)? Take(TRequest request)
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

    /// <summary>Whether <paramref name="path"/> matches <paramref name="pattern"/>: <c>*</c> one segment, a trailing <c>/**</c> any rest.</summary>
    public static bool PathMatches(string pattern, string path)
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

    private sealed record Rule(Func<TRequest, bool> Match, TFault Fault, TimeSpan RetryAfter)
    {
        public int Remaining { get; set; }
    }
}
