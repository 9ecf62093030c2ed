using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using FastGate.Http;
using FastGate.Proxy;
using FastGate.Routing;
using FastGate.Threading;

namespace FastGate.Caching;

/// <summary>
/// A route's cache: phase 4 looks the request up (a fresh entry is written to the client from its bytes); a miss
/// that may be stored leads the fill for its key, and concurrent misses for that key wait for it; phase 6 decides
/// from the response head whether the body is teed into the fill, which becomes an entry when the body is whole.
/// </summary>
public sealed class RouteCache : ICacheHook
{
    private readonly Route _route;
    private readonly ICacheStore _store;
    private readonly MemoryStore _l1;
    private readonly CacheRuntime _runtime;
    private readonly byte[] _statusHeader;
    private readonly byte[] _routeKey;
    private readonly byte[][]? _keyQuery;
    private readonly byte[][] _keyHeaders;

    internal RouteCache(Route route, RouteCacheOptions options, CacheRuntime runtime, byte[] statusHeader)
    {
        _route = route;
        Options = options;
        _runtime = runtime;
        _store = runtime.Tiers;
        _l1 = runtime.Store;
        _statusHeader = statusHeader;
        _routeKey = Encoding.UTF8.GetBytes(route.Name + "\n");
        _keyQuery = options.KeyQuery is { } query ? Array.ConvertAll(query, Encoding.ASCII.GetBytes) : null;
        _keyHeaders = Array.ConvertAll(options.KeyHeaders, Encoding.ASCII.GetBytes);
    }

    public RouteCacheOptions Options { get; }

    /// <summary>The route's name and a newline: how every key of this route begins.</summary>
    internal byte[] RouteKey => _routeKey;

    /// <summary>What a query string (with its '?') becomes in this route's keys.</summary>
    internal byte[] QueryPart(ReadOnlySpan<byte> query) => CacheKeyBuilder.QueryPart(query, _keyQuery);

    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    public async ValueTask<CacheLookup> LookupAsync(ExchangeContext context)
    {
        var state = context.Cache;
        state.Begin(this);
        var request = context.Request;
        if (request.Method is not (HttpMethod.Get or HttpMethod.Head) || request.HasBody || request.IsUpgrade)
            return Decide(context, CacheOutcome.Bypass);
        var directives = RequestDirectives.Of(request);
        if (directives.NoStore) return Decide(context, CacheOutcome.Bypass);
        state.HasAuthorization = directives.HasAuthorization;
        CacheKeyBuilder.WritePrimary(state, _routeKey, request, _keyQuery, _keyHeaders);

        if (!directives.NoCache)
        {
            var found = FindAsync(context, directives, _store);
            var entry = found.IsCompletedSuccessfully ? found.Result : await found.ConfigureAwait(false);
            if (entry is not null) return await HitAsync(context, entry).ConfigureAwait(false);
        }
        // HEAD is answered from a stored GET, never stored itself.
        if (request.Method != HttpMethod.Get) return Decide(context, CacheOutcome.Miss);

        var fills = _runtime.Fills;
        var slot = new FillSlot();
        if (fills.TryAdd(state.PrimaryHash, slot))
        {
            state.Slot = slot;
            state.MayStore = true;
            // A fill that completed between the lookup and the slot stored its entry before it left: look once more (in L1, where it went).
            if (!directives.NoCache && await FindAsync(context, directives, _l1).ConfigureAwait(false) is { } entry)
            {
                Release(state);
                return await HitAsync(context, entry).ConfigureAwait(false);
            }
            return Decide(context, CacheOutcome.Miss);
        }
        if (directives.NoCache || !fills.TryGetValue(state.PrimaryHash, out var running)) return Decide(context, CacheOutcome.Miss);

        // Another exchange fetches this key: wait for it (bounded), then take its entry or go upstream alone.
        Interlocked.Increment(ref _runtime._waiting);
        await running.Done.Task.WaitAsync(_route.Timeouts.Response).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Interlocked.Decrement(ref _runtime._waiting);
        if (await FindAsync(context, directives, _l1).ConfigureAwait(false) is { } filled) return await HitAsync(context, filled).ConfigureAwait(false);
        // That fill failed or was not stored: the first waiter to get here leads the next one, the rest go upstream without waiting again.
        slot = new FillSlot();
        if (fills.TryAdd(state.PrimaryHash, slot))
        {
            state.Slot = slot;
            state.MayStore = true;
        }
        return Decide(context, CacheOutcome.Miss);
    }

    /// <summary>Phase 6, after the response policies: the status header, and whether this response becomes the fill.</summary>
    public void OnResponse(ExchangeContext context)
    {
        var state = context.Cache;
        if (state.Owner != this) return;
        if (_statusHeader.Length > 0) context.ResponseEdits.Set(_statusHeader, CacheOutcomes.HeaderValue(state.Outcome));
        if (!state.MayStore || !Plan(context, state)) Release(state);
    }

    /// <summary>Phase 7: whoever waited for a fill that did not complete is let go.</summary>
    public void OnCompleted(ExchangeContext context)
    {
        var state = context.Cache;
        if (state.Owner != this) return;
        Release(state);
        state.End();
    }

    /// <summary>The fill's body is whole (or there is none): it becomes an entry, and the waiters are let go to it.</summary>
    internal void CompleteFill(CacheExchange state)
    {
        if (!state.Planned) return;
        state.Planned = state.Filling = false;
        Store(state);
        Release(state);
    }

    private bool Plan(ExchangeContext context, CacheExchange state)
    {
        var response = context.Response;
        if (!StoragePolicy.FitsBody(response, context.Request.VersionMinor == 1, Options.MaxObjectSize)) return false;
        var directives = ResponseDirectives.Of(response, DateTimeOffset.UtcNow);
        var lifetime = StoragePolicy.Lifetime(directives, response.StatusCode, state.HasAuthorization, Options);
        if (lifetime < 0) return false;
        var chunked = response.Framing is not (ResponseFraming.ContentLength or ResponseFraming.None);
        var length = response.Framing == ResponseFraming.ContentLength ? response.ContentLength : 0;
        state.KeyLength = state.PrimaryLength;
        var primaryKey = state.Key.ToArray();
        byte[][]? vary = directives.VaryFields > 0 ? VaryNames(response) : null;
        var hash = vary is null ? state.PrimaryHash : CacheKeyBuilder.WriteVariant(state, context.Request, vary);
        state.Plan = new FillPlan
        {
            Hash = hash,
            Key = vary is null ? primaryKey : state.Key.ToArray(),
            Head = StoredHead.Build(response),
            Status = response.StatusCode,
            LifetimeSeconds = lifetime,
            InitialAge = directives.Age,
            Tags = CacheTags.Of(response),
            AllowsAuthorized = directives.Public || directives.SMaxAge >= 0 || directives.MustRevalidate,
            VaryNames = vary,
            PrimaryKey = primaryKey,
            PrimaryHash = state.PrimaryHash,
        };
        state.Planned = true;
        state.RespondedAt = context.ResponseHeadAt;
        state.Chunked = chunked;
        state.MaxBody = Options.MaxObjectSize;
        state.Chunks.Reset();
        state.Body = chunked ? new byte[Math.Min(Options.MaxObjectSize, 16 * 1024)] : length == 0 ? [] : new byte[length];
        state.Filling = chunked || length > 0;
        if (!state.Filling) CompleteFill(state);
        return true;
    }

    private void Store(CacheExchange state)
    {
        ref var plan = ref state.Plan;
        var respondedAt = state.RespondedAt;
        var expiresAt = respondedAt + (long)((plan.LifetimeSeconds - plan.InitialAge) * (double)Stopwatch.Frequency);
        CacheEntry? marker = null;
        if (plan.VaryNames is { } names)
        {
            marker = FindMarker(plan.PrimaryHash, plan.PrimaryKey, names);
            if (marker is null)
            {
                marker = new CacheEntry
                {
                    Hash = plan.PrimaryHash, Key = plan.PrimaryKey, VaryNames = names, StoredAt = respondedAt, ExpiresAt = long.MaxValue,
                };
                _store.Put(marker);
            }
        }
        _store.Put(new CacheEntry
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
    private CacheEntry? FindMarker(ulong hash, byte[] key, byte[][] names)
    {
        var found = _l1.Get(hash, key);
        if (found?.VaryNames is not { } existing || existing.Length != names.Length) return null;
        for (var i = 0; i < names.Length; i++)
        {
            if (!existing[i].AsSpan().SequenceEqual(names[i])) return null;
        }
        return found;
    }

    private static byte[][] VaryNames(ResponseHead response)
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

    /// <summary>A fresh entry this request may be given, following a Vary marker to its variant; null for none.</summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    private static async ValueTask<CacheEntry?> FindAsync(ExchangeContext context, RequestDirectives directives, ICacheStore store)
    {
        var state = context.Cache;
        state.KeyLength = state.PrimaryLength;
        var found = store.GetAsync(state.PrimaryHash, state.KeyMemory, state.PrimaryHash);
        var entry = found.IsCompletedSuccessfully ? found.Result : await found.ConfigureAwait(false);
        if (entry?.VaryNames is { } names)
        {
            var hash = CacheKeyBuilder.WriteVariant(state, context.Request, names);
            found = store.GetAsync(hash, state.KeyMemory, state.PrimaryHash);
            entry = found.IsCompletedSuccessfully ? found.Result : await found.ConfigureAwait(false);
        }
        return entry is not null && Serves(entry, directives, Stopwatch.GetTimestamp()) ? entry : null;
    }

    /// <summary>The entry is fresh, young enough for the request's max-age, and allowed for a request with Authorization.</summary>
    internal static bool Serves(CacheEntry entry, in RequestDirectives directives, long now) =>
        now < entry.ExpiresAt
        && (directives.MaxAge < 0 || CacheHitWriter.Age(entry, now) <= directives.MaxAge)
        && (!directives.HasAuthorization || entry.AllowsAuthorized);

    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    private async ValueTask<CacheLookup> HitAsync(ExchangeContext context, CacheEntry entry)
    {
        Decide(context, CacheOutcome.Hit);
        context.Status = entry.Status;
        context.ResponseEdits.Reset(null);
        Exchange.PrepareLocalEdits(context);
        if (_statusHeader.Length > 0) context.ResponseEdits.Add(_statusHeader, "HIT"u8);
        var request = context.Request;
        var close = !request.KeepAlive || context.CloseConnection || context.Connection.Draining;
        var written = await CacheHitWriter.WriteAsync(context, entry, close).ConfigureAwait(false);
        context.Outcome = written == RelayResult.Done ? ExchangeOutcome.Local : ExchangeOutcome.Aborted;
        if (written == RelayResult.SendTimedOut) context.AbortClient();
        else if (written != RelayResult.Done) context.CloseConnection = true;
        if (close) context.CloseConnection = true;
        return CacheLookup.Hit;
    }

    private CacheLookup Decide(ExchangeContext context, CacheOutcome outcome)
    {
        context.Cache.Outcome = outcome;
        _route.Stats?.RecordCache(outcome);
        return CacheLookup.Miss;
    }

    /// <summary>The fill this exchange led is over (stored or given up): waiters look again.</summary>
    private void Release(CacheExchange state)
    {
        if (state.Slot is not { } slot) return;
        state.Slot = null;
        _runtime.Fills.TryRemove(new KeyValuePair<ulong, FillSlot>(state.PrimaryHash, slot));
        slot.Done.TrySetResult();
    }
}
