using FastGate.Threading;

namespace FastGate.Proxy;

/// <summary>
/// A bounded pool of <see cref="ExchangeContext"/>: at most <see cref="MaxKept"/> idle ones are kept. Connections
/// rent one per exchange; most recently returned first, so a busy process keeps reusing the ones still in cache.
/// </summary>
internal sealed class ExchangeContextPool
{
    public const int MaxKept = 1024;

    private readonly BoundedStack<ExchangeContext> _idle = new(MaxKept);

    public ExchangeContext Rent() => _idle.TryPop(out var context) ? context : new ExchangeContext();

    public void Return(ExchangeContext context)
    {
        if (context.TryRecycle()) _idle.TryPush(context);
    }
}
