namespace FastGate.Transport;

/// <summary>
/// An event loop's table of its connections, indexed by the token the kernel hands back with each event: the
/// generation in the high 32 bits, the slot in the low bits. A stale event (for a connection since closed, even one
/// whose fd number was reused) finds another token in the slot and is ignored.
/// </summary>
internal sealed class ConnectionSlots<T> where T : class, ILoopRegistrant
{
    /// <summary>Slots fit in the low 24 bits, leaving bits 24–31 to say which operation a completion is for.</summary>
    public const int MaxSlots = 1 << 24;

    private readonly Lock _lock = new();
    private readonly Stack<int> _free = new();
    private T?[] _slots = new T?[64];
    private int _used;
    private uint _generation;

    /// <summary>Gives <paramref name="item"/> a slot and returns its token.</summary>
    public ulong Add(T item)
    {
        lock (_lock)
        {
            if (!_free.TryPop(out var slot))
            {
                if (_used == MaxSlots) throw new InvalidOperationException("too many connections on one event loop");
                slot = _used++;
                if (slot == _slots.Length)
                {
                    var grown = new T?[_slots.Length * 2];
                    _slots.CopyTo(grown, 0);
                    Volatile.Write(ref _slots, grown);
                }
            }
            if (++_generation == 0) _generation = 1;
            var token = (ulong)_generation << 32 | (uint)slot;
            item.Token = token;
            Volatile.Write(ref _slots[slot], item);
            return token;
        }
    }

    public void Remove(T item)
    {
        var slot = (int)(item.Token & (MaxSlots - 1));
        lock (_lock)
        {
            if (_slots[slot] != item) return;
            _slots[slot] = null;
            _free.Push(slot);
        }
    }

    /// <summary>The connection <paramref name="token"/> was issued to, if it is still registered.</summary>
    public T? Find(ulong token)
    {
        var slots = Volatile.Read(ref _slots);
        var slot = (int)(token & (MaxSlots - 1));
        return (uint)slot < (uint)slots.Length && Volatile.Read(ref slots[slot]) is { } item && item.Token == (token & ~0xFF000000UL)
            ? item
            : null;
    }
}
