namespace FastGate.Benchmarks;

/// <summary>Benchmark categories.</summary>
public static class Categories
{
    /// <summary>A third-party implementation measured for comparison: not FastGate's hot path, so its allocations do not fail the run.</summary>
    public const string Reference = "reference";

    /// <summary>FastGate code documented to allocate (a path_regex rewrite): reported, not failed.</summary>
    public const string KnownAllocation = "known-allocation";
}
