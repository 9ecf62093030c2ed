namespace FastGate.Caching;

/// <summary>Labels of <see cref="L2Result"/>.</summary>
public static class L2Results
{
    public static string Label(L2Result result) => result switch
    {
        L2Result.Hit => "hit",
        L2Result.Miss => "miss",
        L2Result.Error => "error",
        _ => "skipped",
    };
}
