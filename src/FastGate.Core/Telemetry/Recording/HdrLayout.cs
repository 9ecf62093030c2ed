using System.Numerics;

namespace FastGate.Telemetry;

/// <summary>
/// HdrHistogram's bucket layout for values 0 to <see cref="LatencyRecorder.HighestMicros"/> at 2 significant digits
/// (lowest trackable value 1): the index of a value's count, and the lowest value an index stands for, computed as
/// HdrHistogram computes them, so the hot path counts without calling into the library and a reader hands each
/// count to an HdrHistogram at the value it stands for.
/// </summary>
internal static class HdrLayout
{
    // 2 digits: single-unit resolution up to 2 x 10^2 = 200, so 256 sub-buckets, of which each bucket after the
    // first uses the upper half (128).
    private const int SubBucketHalfCountMagnitude = 7;
    private const int SubBucketHalfCount = 1 << SubBucketHalfCountMagnitude;
    private const long SubBucketMask = (2L * SubBucketHalfCount) - 1;
    private const int LeadingZeroCountBase = 64 - SubBucketHalfCountMagnitude - 1;

    /// <summary>Counts per phase: up to and including the index of the highest value.</summary>
    public static readonly int Length = IndexOf(LatencyRecorder.HighestMicros) + 1;

    /// <summary>The count index of <paramref name="value"/> (0 to <see cref="LatencyRecorder.HighestMicros"/>).</summary>
    public static int IndexOf(long value)
    {
        var bucket = LeadingZeroCountBase - BitOperations.LeadingZeroCount((ulong)(value | SubBucketMask));
        var subBucket = (int)(value >> bucket);
        return ((bucket + 1) << SubBucketHalfCountMagnitude) + subBucket - SubBucketHalfCount;
    }

    /// <summary>The lowest value counted at <paramref name="index"/>.</summary>
    public static long ValueAt(int index)
    {
        var bucket = (index >> SubBucketHalfCountMagnitude) - 1;
        var subBucket = (index & (SubBucketHalfCount - 1)) + SubBucketHalfCount;
        if (bucket < 0)
        {
            subBucket -= SubBucketHalfCount;
            bucket = 0;
        }
        return (long)subBucket << bucket;
    }
}
