using FastGate.Caching;

namespace FastGate.Tests.Caching;

public class MemoryStoreTests
{
    internal static CacheEntry Entry(ulong hash, int bodySize = 100) => new()
    {
        Hash = hash, Key = BitConverter.GetBytes(hash), Body = new byte[bodySize], ExpiresAt = long.MaxValue,
    };

    [Theory]
    [InlineData("s3fifo")]
    [InlineData("lru")]
    public void StaysWithinItsBudgetAndKeepsWhatIsHit(string eviction)
    {
        var size = Entry(0).Size;
        var store = new MemoryStore(size * 10, eviction);
        var hot = Entry(1);
        store.Put(hot);
        for (ulong i = 2; i < 200; i++)
        {
            store.Put(Entry(i));
            Assert.NotNull(store.Get(1, hot.Key));
            Assert.True(store.Bytes <= store.Budget);
        }
        Assert.Equal(10, store.Entries);
        Assert.Same(hot, store.Get(1, hot.Key));
    }

    [Fact]
    public void AHashCollisionIsAMiss()
    {
        var store = new MemoryStore(1 << 20);
        store.Put(Entry(7));
        Assert.Null(store.Get(7, "another key"u8));
    }

    [Fact]
    public void ReplacingAndRemovingKeepTheByteCount()
    {
        var store = new MemoryStore(1 << 20);
        store.Put(Entry(1, 100));
        store.Put(Entry(1, 300));
        Assert.Equal(Entry(1, 300).Size, store.Bytes);
        var entry = store.Get(1, BitConverter.GetBytes(1UL))!;
        store.Remove(entry);
        store.Remove(entry);
        Assert.Equal((0, 0L), (store.Entries, store.Bytes));
    }

    [Fact]
    public void AnEntryLargerThanTheBudgetIsNotStoredAndShrinkingEvicts()
    {
        var store = new MemoryStore(1000);
        store.Put(Entry(1, 2000));
        Assert.Equal(0, store.Entries);
        store.Resize(1 << 20);
        for (ulong i = 0; i < 10; i++) store.Put(Entry(i));
        store.Resize(Entry(0).Size * 3);
        Assert.Equal(3, store.Entries);
        Assert.True(store.Bytes <= store.Budget);
    }
}
