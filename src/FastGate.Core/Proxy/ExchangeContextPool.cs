using System.Collections.Concurrent;

namespace FastGate.Proxy;

/// <summary>A bounded pool of <see cref="ExchangeContext"/>: at most <see cref="MaxKept"/> idle ones are kept.</summary>
internal sealed class ExchangeContextPool
{
    public const int MaxKept = 1024;

    private readonly ConcurrentQueue<ExchangeContext> _idle = new();
    private int _count;

    public ExchangeContext Rent()
    {
        if (_idle.TryDequeue(out var context))
        {
            Interlocked.Decrement(ref _count);
            return context;
        }
        return new ExchangeContext();
    }

    public void Return(ExchangeContext context)
    {
        if (!context.TryRecycle()) return;
        if (Interlocked.Increment(ref _count) <= MaxKept) _idle.Enqueue(context);
        else Interlocked.Decrement(ref _count);
    }
}
