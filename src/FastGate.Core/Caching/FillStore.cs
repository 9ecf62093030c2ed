using System.Diagnostics;
using FastGate.Http;

namespace FastGate.Caching;

/// <summary>A fill whose body is whole becomes an entry (with the Vary marker its primary key needs).</summary>
internal static class FillStore
{
    /// <summary>Puts the entry <see cref="CacheExchange.Plan"/> and the captured body make (and its Vary marker, when L1 has none with these names).</summary>
    public static void Store(CacheExchange state, ICacheStore store, MemoryStore l1)
    {
        ref var plan = ref state.Plan;
        var respondedAt = state.RespondedAt;
        var expiresAt = respondedAt + (long)((plan.LifetimeSeconds - plan.InitialAge) * (double)Stopwatch.Frequency);
        CacheEntry? marker = null;
        if (plan.VaryNames is { } names)
        {
            marker = FindMarker(l1, plan.PrimaryHash, plan.PrimaryKey, names);
            if (marker is null)
            {
                marker = new CacheEntry
                {
                    Hash = plan.PrimaryHash, Key = plan.PrimaryKey, VaryNames = names, StoredAt = respondedAt, ExpiresAt = long.MaxValue,
                };
                store.Put(marker);
            }
        }
        store.Put(new CacheEntry
        {
            Hash = plan.Hash,
            PrimaryHash = plan.PrimaryHash,
            Marker = marker,
            Tags = plan.Tags,
            Key = plan.Key,
            Head = StoredHead.WithLength(plan.Head, plan.Status, state.BodyLength),
            Body = state.BodyLength == state.Body.Length ? state.Body : state.Body.AsSpan(0, state.BodyLength).ToArray(),
            Status = plan.Status,
            StoredAt = respondedAt,
            ExpiresAt = expiresAt,
            InitialAge = plan.InitialAge,
            AllowsAuthorized = plan.AllowsAuthorized,
        });
    }

    /// <summary>The marker with these very names the primary key holds in L1 already, or null.</summary>
    private static CacheEntry? FindMarker(MemoryStore l1, ulong hash, byte[] key, byte[][] names)
    {
        var found = l1.Get(hash, key);
        if (found?.VaryNames is not { } existing || existing.Length != names.Length) return null;
        for (var i = 0; i < names.Length; i++)
        {
            if (!existing[i].AsSpan().SequenceEqual(names[i])) return null;
        }
        return found;
    }

    /// <summary>The names a response's Vary lists, lower case, sorted, each once.</summary>
    public static byte[][] VaryNames(ResponseHead response)
    {
        var names = new List<byte[]>();
        for (var i = 0; i < response.FieldCount; i++)
        {
            if (!CacheControl.Is(response.Name(i), "vary"u8)) continue;
            var list = response.Value(i);
            var position = 0;
            while (CacheControl.Next(list, ref position, out var name, out _))
            {
                var lower = new byte[name.Length];
                System.Text.Ascii.ToLower(name, lower, out _);
                if (!names.Exists(n => n.AsSpan().SequenceEqual(lower))) names.Add(lower);
            }
        }
        names.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));
        return [.. names];
    }
}
