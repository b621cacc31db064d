namespace Mothership.Cloud.Access;

/// <summary>
/// Argo CD's glob matching of objects (gobwas/glob with no separators): <c>*</c> is any run of
/// characters, <c>/</c> included, <c>?</c> any one character, everything else itself. Argo's
/// <c>[...]</c> and <c>{a,b}</c> are not supported (they match themselves). Matched without
/// regular expressions or recursion, in time linear in practice, so a hostile pattern cannot stall a check.
/// </summary>
internal static class PolicyGlob
{
    public static bool Matches(string pattern, string value)
    {
        int p = 0, v = 0, star = -1, resume = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == value[v]) && pattern[p] != '*')
            {
                p++;
                v++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = v;
            }
            else if (star >= 0)
            {
                p = star + 1;
                v = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
