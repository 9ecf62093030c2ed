namespace FastGate.Threading;

/// <summary>
/// A lock-free LIFO holding at most <see cref="Capacity"/> items; after construction it allocates nothing.
/// </summary>
/// <remarks>
/// Two Treiber stacks over slot indices share one next-index array: one links the slots holding items, the other the
/// free slots, so a push first takes a free slot (none left: the stack is full) and a pop gives its slot back. Each
/// head is one 64-bit word of (version, count, index + 1). The version changes on every update, so a slot that was
/// popped and pushed again between another thread's read of the head and its compare-exchange cannot be mistaken for
/// the head it read (ABA).
/// </remarks>
internal sealed class BoundedStack<T> where T : class
{
    public const int MaxCapacity = ushort.MaxValue;

    private const long IndexMask = 0xFFFF;
    private const int CountShift = 16;
    private const int VersionShift = 32;

    private readonly T?[] _items;
    private readonly int[] _next; // index + 1 of the slot below, 0 at the bottom
    private long _used;
    private long _free;

    public BoundedStack(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, MaxCapacity);
        _items = new T?[capacity];
        _next = new int[capacity];
        for (var i = 0; i < capacity - 1; i++) _next[i] = i + 2;
        if (capacity > 0) _free = Pack(0, capacity, 1);
    }

    public int Capacity => _items.Length;

    /// <summary>Items held; exact when nothing pushes or pops at the same moment.</summary>
    public int Count => (int)((Volatile.Read(ref _used) >> CountShift) & IndexMask);

    /// <summary>Pushes <paramref name="item"/> on top; false, leaving it to the caller, when the stack is full.</summary>
    public bool TryPush(T item)
    {
        if (!TryTake(ref _free, out var slot)) return false;
        _items[slot] = item;
        Put(ref _used, slot); // a full fence: a popper that sees the slot sees the item
        return true;
    }

    /// <summary>Pops the most recently pushed item.</summary>
    public bool TryPop(out T item)
    {
        if (!TryTake(ref _used, out var slot))
        {
            item = null!;
            return false;
        }
        item = _items[slot]!;
        _items[slot] = null;
        Put(ref _free, slot);
        return true;
    }

    private bool TryTake(ref long head, out int slot)
    {
        while (true)
        {
            var seen = Volatile.Read(ref head);
            slot = (int)(seen & IndexMask) - 1;
            if (slot < 0) return false;
            // Possibly stale if the slot moved meanwhile; the version then differs and the exchange fails.
            var next = Volatile.Read(ref _next[slot]);
            var updated = Pack(Version(seen) + 1, CountOf(seen) - 1, next);
            if (Interlocked.CompareExchange(ref head, updated, seen) == seen) return true;
        }
    }

    private void Put(ref long head, int slot)
    {
        while (true)
        {
            var seen = Volatile.Read(ref head);
            _next[slot] = (int)(seen & IndexMask);
            var updated = Pack(Version(seen) + 1, CountOf(seen) + 1, slot + 1);
            if (Interlocked.CompareExchange(ref head, updated, seen) == seen) return;
        }
    }

    private static long Pack(long version, int count, int indexPlusOne) =>
        (version << VersionShift) | ((long)count << CountShift) | (uint)indexPlusOne;

    private static long Version(long head) => (long)((ulong)head >> VersionShift);

    private static int CountOf(long head) => (int)((head >> CountShift) & IndexMask);
}
