using FastGate.Transport;

namespace FastGate.Tests.Transport;

/// <summary>Work posted to an event loop from other threads always runs, however the posts interleave with its wake-ups.</summary>
public class EventLoopPostTests
{
    private sealed class CountingWork(int[] counter, TaskCompletionSource done, int total) : ILoopWork
    {
        public void Execute()
        {
            if (Interlocked.Increment(ref counter[0]) == total) done.TrySetResult();
        }
    }

    [Fact]
    public async Task Every_post_from_racing_threads_runs()
    {
        const int threads = 4, rounds = 20_000, perRound = 8;
        const int total = threads * rounds * perRound;
        var loop = new EventLoop("post-test");
        var counter = new int[1];
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var work = new CountingWork(counter, done, total);
        var posters = Enumerable.Range(0, threads).Select(_ => Task.Run(async () =>
        {
            for (var r = 0; r < rounds; r++)
            {
                for (var i = 0; i < perRound; i++) loop.Post(work);
                if (r % 64 == 0) await Task.Yield(); // let the loop drain between bursts, so wake-ups and posts interleave
            }
        })).ToArray();
        await Task.WhenAll(posters);
        var finished = await Task.WhenAny(done.Task, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.True(finished == done.Task, $"{Volatile.Read(ref counter[0])} of {total} posted work items ran; the rest wait for a wake-up that was lost");
    }
}
