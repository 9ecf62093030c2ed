using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;
using FastGate.Threading;

namespace FastGate.Benchmarks;

/// <summary>
/// The upstream pool's idle set: one rent and return (pop + push) on the LIFO <see cref="BoundedStack{T}"/> against
/// the FIFO <see cref="ConcurrentQueue{T}"/> it replaced (<c>ConcurrentStack</c> is no candidate: it allocates a node
/// per push). The two-thread methods run <see cref="OpsPerThread"/> pairs on this thread while a worker does the same
/// on the same set; the result is wall time per pair.
/// </summary>
[MemoryDiagnoser]
public class IdleStackBenchmarks
{
    private const int OpsPerThread = 16_384;
    private const int Items = 64;

    private readonly BoundedStack<object> _stack = new(Items);
    private readonly ConcurrentQueue<object> _queue = new();
    private SecondThread? _worker;
    private Func<int> _stackMany = null!, _queueMany = null!;

    [GlobalSetup]
    public void Setup()
    {
        for (var i = 0; i < Items / 2; i++)
        {
            _stack.TryPush(new object());
            _queue.Enqueue(new object());
        }
        _stackMany = StackMany;
        _queueMany = QueueMany;
        _worker = new SecondThread("bench-idle-set");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _worker?.Dispose();
    }

    [Benchmark]
    public bool StackPopPush() => _stack.TryPop(out var item) && _stack.TryPush(item);

    [Benchmark]
    public bool QueueDequeueEnqueue()
    {
        if (!_queue.TryDequeue(out var item)) return false;
        _queue.Enqueue(item);
        return true;
    }

    [Benchmark(OperationsPerInvoke = 2 * OpsPerThread)]
    public int StackPopPushTwoThreads() => _worker!.RunOnBoth(_stackMany);

    [Benchmark(OperationsPerInvoke = 2 * OpsPerThread)]
    public int QueueDequeueEnqueueTwoThreads() => _worker!.RunOnBoth(_queueMany);

    private int StackMany()
    {
        var done = 0;
        for (var i = 0; i < OpsPerThread; i++) if (StackPopPush()) done++;
        return done;
    }

    private int QueueMany()
    {
        var done = 0;
        for (var i = 0; i < OpsPerThread; i++) if (QueueDequeueEnqueue()) done++;
        return done;
    }
}
