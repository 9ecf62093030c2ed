namespace FastGate.Caching;

/// <summary>Glob matching over a path: <c>*</c> stands for any run of bytes, '/' included; every other byte for itself.</summary>
internal static class PathGlob
{
    public static bool Matches(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> path)
    {
        // Iterative with one backtrack point: the last '*' seen and where the path stood then.
        int p = 0, s = 0, star = -1, mark = 0;
        while (s < path.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = s;
            }
            else if (p < pattern.Length && pattern[p] == path[s])
            {
                p++;
                s++;
            }
            else if (star >= 0)
            {
                p = star + 1;
                s = ++mark;
            }
            else return false;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }
}
