namespace FastGate.Caching;

/// <summary>Labels and status-header values of <see cref="CacheOutcome"/>.</summary>
public static class CacheOutcomes
{
    /// <summary>Outcomes counted: hit, miss, bypass, stale, revalidated (index = outcome - 1).</summary>
    public const int Count = 5;

    public static readonly string[] Labels = ["hit", "miss", "bypass", "stale", "revalidated"];

    public static ReadOnlySpan<byte> HeaderValue(CacheOutcome outcome) => outcome switch
    {
        CacheOutcome.Hit => "HIT"u8,
        CacheOutcome.Miss => "MISS"u8,
        CacheOutcome.Stale => "STALE"u8,
        CacheOutcome.Revalidated => "REVALIDATED"u8,
        _ => "BYPASS"u8,
    };
}
