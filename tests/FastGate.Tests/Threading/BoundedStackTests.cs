using FastGate.Threading;

namespace FastGate.Tests.Threading;

public class BoundedStackTests
{
    private sealed class Item(int id)
    {
        public int Id { get; } = id;
        public int Holders;
    }

    [Fact]
    public void PopsTheMostRecentlyPushedFirst()
    {
        var stack = new BoundedStack<Item>(4);
        var items = Enumerable.Range(0, 3).Select(i => new Item(i)).ToArray();
        foreach (var item in items) Assert.True(stack.TryPush(item));
        Assert.Equal(3, stack.Count);

        Assert.True(stack.TryPop(out var top));
        Assert.Same(items[2], top);
        Assert.True(stack.TryPush(top));
        Assert.Equal([2, 1, 0], PopAll(stack));
        Assert.False(stack.TryPop(out _));
        Assert.Equal(0, stack.Count);
    }

    [Fact]
    public void RefusesAPushWhenFull()
    {
        var stack = new BoundedStack<Item>(2);
        Assert.True(stack.TryPush(new Item(0)));
        Assert.True(stack.TryPush(new Item(1)));
        Assert.False(stack.TryPush(new Item(2)));
        Assert.Equal([1, 0], PopAll(stack));
        Assert.True(stack.TryPush(new Item(3)));
    }

    [Fact]
    public void ZeroCapacityHoldsNothing()
    {
        var stack = new BoundedStack<Item>(0);
        Assert.False(stack.TryPush(new Item(0)));
        Assert.False(stack.TryPop(out _));
    }

    /// <summary>Items move between threads and the stack; none is ever held twice, lost or duplicated (ABA).</summary>
    [Fact]
    public void ConcurrentPushesAndPopsNeverHandOutAnItemTwice()
    {
        const int capacity = 8;
        var stack = new BoundedStack<Item>(capacity);
        var items = Enumerable.Range(0, capacity).Select(i => new Item(i)).ToArray();
        foreach (var item in items) Assert.True(stack.TryPush(item));
        var failures = 0;

        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            for (var i = 0; i < 200_000; i++)
            {
                if (!stack.TryPop(out var item)) continue;
                if (Interlocked.Increment(ref item.Holders) != 1) Interlocked.Increment(ref failures);
                Interlocked.Decrement(ref item.Holders);
                if (!stack.TryPush(item)) Interlocked.Increment(ref failures); // only these 8 exist: never full
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Equal(0, failures);
        Assert.Equal(capacity, stack.Count);
        Assert.Equal(Enumerable.Range(0, capacity), PopAll(stack).Order());
    }

    private static List<int> PopAll(BoundedStack<Item> stack)
    {
        var ids = new List<int>();
        while (stack.TryPop(out var item)) ids.Add(item.Id);
        return ids;
    }
}
