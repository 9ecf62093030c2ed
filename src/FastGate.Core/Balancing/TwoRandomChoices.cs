using FastGate.Upstreams;

namespace FastGate.Balancing;

/// <summary>The "power of two choices" draw: two distinct random destinations of a set of at least two.</summary>
internal static class TwoRandomChoices
{
    public static (DestinationState First, DestinationState Second) Draw(DestinationState[] available)
    {
        var count = available.Length;
        var i = Random.Shared.Next(count);
        var j = Random.Shared.Next(count - 1);
        if (j >= i) j++;
        return (available[i], available[j]);
    }
}
