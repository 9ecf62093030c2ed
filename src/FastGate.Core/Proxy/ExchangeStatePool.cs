using System.Collections.Concurrent;

namespace FastGate.Proxy;

/// <summary>A bounded pool of <see cref="ExchangeState"/>: at most <see cref="MaxKept"/> idle ones are kept.</summary>
internal sealed class ExchangeStatePool
{
    public const int MaxKept = 1024;

    private readonly ConcurrentQueue<ExchangeState> _idle = new();
    private int _count;

    public ExchangeState Rent()
    {
        if (_idle.TryDequeue(out var state))
        {
            Interlocked.Decrement(ref _count);
            return state;
        }
        return new ExchangeState();
    }

    public void Return(ExchangeState state)
    {
        if (!state.TryRecycle()) return;
        if (Interlocked.Increment(ref _count) <= MaxKept) _idle.Enqueue(state);
        else Interlocked.Decrement(ref _count);
    }
}
