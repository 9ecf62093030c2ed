namespace FastGate.Tests.Discovery;

internal static class Poll
{
    /// <summary>Waits until <paramref name="condition"/> holds, failing with <paramref name="what"/> after <paramref name="seconds"/>.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what, double seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }
}
