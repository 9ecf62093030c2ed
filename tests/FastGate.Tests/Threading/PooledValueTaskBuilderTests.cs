using System.Runtime.CompilerServices;
using FastGate.Threading;

namespace FastGate.Tests.Threading;

public class PooledValueTaskBuilderTests
{
    /// <summary>An awaitable the test completes by hand, so many calls can be suspended at once.</summary>
    private sealed class Gate : ICriticalNotifyCompletion
    {
        private Action? _continuation;
        public bool IsCompleted { get; private set; }
        public Gate GetAwaiter() => this;
        public void GetResult() { }
        public void OnCompleted(Action continuation) => _continuation = continuation;
        public void UnsafeOnCompleted(Action continuation) => _continuation = continuation;

        public void Open()
        {
            IsCompleted = true;
            var c = _continuation;
            _continuation = null;
            c?.Invoke();
        }

        public void Reset() => IsCompleted = false;
    }

    private static readonly AsyncLocal<int> Ambient = new();

    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    private static async ValueTask<int> AddAfter(Gate gate, int a, int b)
    {
        await gate;
        return a + b + Ambient.Value;
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    private static async ValueTask<int> Fail(Gate? gate)
    {
        if (gate is not null) await gate;
        throw new InvalidOperationException("boom");
    }

    [Fact]
    public async Task CompletesSynchronouslyWithoutSuspending()
    {
        var gate = new Gate();
        gate.Open();
        var task = AddAfter(gate, 2, 3);
        Assert.True(task.IsCompletedSuccessfully);
        Assert.Equal(5, await task);
    }

    [Fact]
    public async Task ResumesAfterSuspensionAndFlowsAsyncLocals()
    {
        Ambient.Value = 10;
        var gate = new Gate();
        var task = AddAfter(gate, 2, 3);
        Assert.False(task.IsCompleted);
        Ambient.Value = 0; // the call captured 10 when it suspended
        gate.Open();
        Assert.Equal(15, await task);
    }

    [Fact]
    public async Task ExceptionsReachTheCaller()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await Fail(null));
        var gate = new Gate();
        var task = Fail(gate);
        gate.Open();
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await task);
    }

    [Fact]
    public void ManySuspendedCallsReuseTheirBoxesOnceWarm()
    {
        const int concurrent = 256;
        var gates = Enumerable.Range(0, concurrent).Select(_ => new Gate()).ToArray();
        var tasks = new ValueTask<int>[concurrent];
        var wrong = 0;

        void Round()
        {
            for (var i = 0; i < concurrent; i++)
            {
                gates[i].Reset();
                tasks[i] = AddAfter(gates[i], i, 1);
            }
            for (var i = 0; i < concurrent; i++) gates[i].Open();
            // a plain comparison: xunit's Assert.Equal allocates a comparer per call, which would be measured
            for (var i = 0; i < concurrent; i++) if (tasks[i].Result != i + 1) wrong++;
        }

        // Measured on a thread with the default execution context, as Kestrel's callbacks run.
        long allocated = -1;
        var thread = new Thread(() =>
        {
            for (var w = 0; w < 5; w++) Round(); // fills the pool and lets its queue reach its working size
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var r = 0; r < 10; r++) Round();
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        });
        thread.UnsafeStart();
        thread.Join();
        Assert.Equal(0, wrong);
#if DEBUG
        // Debug builds compile async state machines as classes: one small object per call, but still no boxes.
        Assert.InRange(allocated, 0, 10 * concurrent * 100);
#else
        Assert.InRange(allocated, 0, 1024); // 2560 suspended calls
#endif
    }
}
