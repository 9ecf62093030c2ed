namespace FastGate.Caching;

/// <summary>Labels and status-header values of <see cref="CacheOutcome"/>.</summary>
public static class CacheOutcomes
{
    /// <summary>Outcomes counted: hit, miss, bypass (index = outcome - 1).</summary>
    public const int Count = 3;

    public static readonly string[] Labels = ["hit", "miss", "bypass"];

    public static ReadOnlySpan<byte> HeaderValue(CacheOutcome outcome) => outcome switch
    {
        CacheOutcome.Hit => "HIT"u8,
        CacheOutcome.Miss => "MISS"u8,
        _ => "BYPASS"u8,
    };
}
