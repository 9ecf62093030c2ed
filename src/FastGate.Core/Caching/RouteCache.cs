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
        if (state.RefreshOf is { } refreshing) return BeginRefresh(context, state, refreshing);
        if (request.Method is not (HttpMethod.Get or HttpMethod.Head) || request.HasBody || request.IsUpgrade)
            return Decide(context, CacheOutcome.Bypass);
        var directives = DirectivesOf(context);
        if (directives.NoStore) return Decide(context, CacheOutcome.Bypass);
        state.HasAuthorization = directives.HasAuthorization;
        state.Directives = directives;
        CacheKeyBuilder.WritePrimary(state, _routeKey, request, _keyQuery, _keyHeaders, context.RequestEdits.Added);

        CacheEntry? stale = null;
        if (!directives.NoCache)
        {
            var found = FindAsync(context, directives, _store);
            var entry = found.IsCompletedSuccessfully ? found.Result : await found.ConfigureAwait(false);
            if (entry is not null)
            {
                var now = Stopwatch.GetTimestamp();
                if (IsFresh(entry, directives, now)) return await HitAsync(context, entry).ConfigureAwait(false);
                if (await ServesStaleAsync(context, entry, directives, now).ConfigureAwait(false)) return CacheLookup.Hit;
                stale = entry;
            }
        }
        // HEAD is answered from a stored GET, never stored (nor revalidated) itself.
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
                if (IsFresh(entry, directives, Stopwatch.GetTimestamp()))
                {
                    Release(state);
                    return await HitAsync(context, entry).ConfigureAwait(false);
                }
                stale = entry;
            }
            return Revalidate(context, stale);
        }
        if (directives.NoCache || !fills.TryGetValue(state.PrimaryHash, out var running)) return Revalidate(context, stale);

        // Another exchange fetches (or revalidates) this key: wait for it (bounded), then take its entry or go upstream alone.
        Interlocked.Increment(ref _runtime._waiting);
        await running.Done.Task.WaitAsync(_route.Timeouts.Response).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Interlocked.Decrement(ref _runtime._waiting);
        if (await FindAsync(context, directives, _l1).ConfigureAwait(false) is { } filled)
        {
            if (IsFresh(filled, directives, Stopwatch.GetTimestamp())) return await HitAsync(context, filled).ConfigureAwait(false);
            stale = filled;
        }
        // That fill failed or was not stored: the first waiter to get here leads the next one, the rest go upstream without waiting again.
        slot = new FillSlot();
        if (fills.TryAdd(state.PrimaryHash, slot))
        {
            state.Slot = slot;
            state.MayStore = true;
        }
        return Revalidate(context, stale);
    }

    /// <summary>
    /// A stale entry that may answer at once: within the request's max-stale, or within the response's
    /// stale-while-revalidate, which also starts the one background refresh of the key (unless one runs already).
    /// </summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    private async ValueTask<bool> ServesStaleAsync(ExchangeContext context, CacheEntry entry, RequestDirectives directives, long now)
    {
        var rules = ResponseDirectives.OfStored(entry.Head, DateTimeOffset.UtcNow);
        var whileRevalidating = Revalidation.WithinWindow(rules, entry, directives, rules.StaleWhileRevalidate, now);
        if (!whileRevalidating && !(rules.AllowsClientStale && Revalidation.WithinWindow(rules, entry, directives, directives.MaxStale, now))) return false;
        var state = context.Cache;
        // While a refresh (or another fill) runs for the key, a stale request allocates nothing.
        if (whileRevalidating && context.Request.Method == HttpMethod.Get && !_runtime.Fills.ContainsKey(state.PrimaryHash))
        {
            var slot = new FillSlot();
            if (_runtime.Fills.TryAdd(state.PrimaryHash, slot))
            {
                // A refresh that ended between the lookup and the slot left a fresh entry: serve that one, start none.
                var current = await FindAsync(context, directives, _l1).ConfigureAwait(false);
                if (current is not null && IsFresh(current, directives, Stopwatch.GetTimestamp()))
                {
                    _runtime.Fills.TryRemove(new KeyValuePair<ulong, FillSlot>(state.PrimaryHash, slot));
                    slot.Done.TrySetResult();
                    await HitAsync(context, current).ConfigureAwait(false);
                    return true;
                }
                CacheRefresh.Start(context, _runtime, current ?? entry, slot);
            }
        }
        Decide(context, CacheOutcome.Stale);
        await WriteEntryAsync(context, entry).ConfigureAwait(false);
        return true;
    }

    /// <summary>The exchange goes upstream: with the stale entry's validators when it has one (its outcome is counted once the answer is in).</summary>
    private CacheLookup Revalidate(ExchangeContext context, CacheEntry? stale)
    {
        var state = context.Cache;
        if (stale is null) return Decide(context, CacheOutcome.Miss);
        state.Stale = stale;
        state.Conditional = Revalidation.AddConditionals(context, stale);
        state.Outcome = CacheOutcome.Miss;
        state.OutcomePending = true;
        return CacheLookup.Miss;
    }

    /// <summary>A background refresh's exchange: it leads the fill its trigger took, conditionally when the entry has validators.</summary>
    private CacheLookup BeginRefresh(ExchangeContext context, CacheExchange state, CacheEntry stale)
    {
        var request = context.Request;
        var directives = DirectivesOf(context);
        state.Background = true;
        state.HasAuthorization = directives.HasAuthorization;
        CacheKeyBuilder.WritePrimary(state, _routeKey, request, _keyQuery, _keyHeaders, context.RequestEdits.Added);
        state.Slot = state.RefreshSlot;
        state.MayStore = true;
        state.Stale = stale;
        state.Conditional = Revalidation.AddConditionals(context, stale);
        state.Outcome = CacheOutcome.Miss;
        return CacheLookup.Miss;
    }

    /// <summary>
    /// Phase 6, after the response policies: the status header, and whether this response becomes the fill. True
    /// when the cache answers instead (a 304 to its conditional request, or an error while a stale entry may stand
    /// in): the exchange then calls <see cref="AnswerAsync"/> and relays nothing.
    /// </summary>
    public bool OnResponse(ExchangeContext context)
    {
        var state = context.Cache;
        if (state.Owner != this) return false;
        if (state.Stale is { } stale)
        {
            var response = context.Response;
            if (response.StatusCode == 304 && state.Conditional)
            {
                var refreshed = Revalidation.SameRepresentation(stale, response)
                    ? Revalidation.Refreshed(stale, response, context.ResponseHeadAt, state.HasAuthorization, Options)
                    : null;
                if (refreshed is not null) _store.Put(refreshed);
                else _store.Remove(stale);
                Release(state);
                return Answer(context, refreshed ?? stale, CacheOutcome.Revalidated);
            }
            if (Revalidation.IsServerError(response.StatusCode) && Revalidation.ServesOnError(stale, state.Directives, Stopwatch.GetTimestamp()))
            {
                Release(state);
                return Answer(context, stale, CacheOutcome.Stale);
            }
            Settle(context, CacheOutcome.Miss);
        }
        if (_statusHeader.Length > 0) context.ResponseEdits.Set(_statusHeader, CacheOutcomes.HeaderValue(state.Outcome));
        if (!state.MayStore || !Plan(context, state)) Release(state);
        return false;
    }

    /// <summary>No response came (connect error, timeout, no destination): true when a stale entry answers instead, within stale-if-error.</summary>
    public bool OnUpstreamFailed(ExchangeContext context)
    {
        var state = context.Cache;
        if (state.Owner != this || state.Stale is not { } stale || !Revalidation.ServesOnError(stale, state.Directives, Stopwatch.GetTimestamp()))
            return false;
        Release(state);
        return Answer(context, stale, CacheOutcome.Stale);
    }

    /// <summary>Writes the entry <see cref="OnResponse"/> or <see cref="OnUpstreamFailed"/> chose; returns whether the client connection stays open.</summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    public async ValueTask<bool> AnswerAsync(ExchangeContext context)
    {
        UpstreamExchange.ReleaseUnrelayed(context);
        await WriteEntryAsync(context, context.Cache.Answer!).ConfigureAwait(false);
        return !context.CloseConnection;
    }

    private bool Answer(ExchangeContext context, CacheEntry entry, CacheOutcome outcome)
    {
        context.Cache.Answer = entry;
        Settle(context, outcome);
        return true;
    }

    /// <summary>Phase 7: whoever waited for a fill that did not complete is let go.</summary>
    public void OnCompleted(ExchangeContext context)
    {
        var state = context.Cache;
        if (state.Owner != this) return;
        if (state.OutcomePending) Settle(context, state.Outcome);
        Release(state);
        state.End();
    }

    /// <summary>The fill's body is whole (or there is none): it becomes an entry, and the waiters are let go to it.</summary>
    internal void CompleteFill(CacheExchange state)
    {
        if (!state.Planned) return;
        state.Planned = state.Filling = false;
        FillStore.Store(state, _store, _l1);
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
        byte[][]? vary = directives.VaryFields > 0 ? FillStore.VaryNames(response) : null;
        var hash = vary is null ? state.PrimaryHash : CacheKeyBuilder.WriteVariant(state, context.Request, context.RequestEdits.Added, vary);
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

    /// <summary>An entry (fresh or not) this request may be given, following a Vary marker to its variant; null for none.</summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    private static async ValueTask<CacheEntry?> FindAsync(ExchangeContext context, RequestDirectives directives, ICacheStore store)
    {
        var state = context.Cache;
        state.KeyLength = state.PrimaryLength;
        var found = store.GetAsync(state.PrimaryHash, state.KeyMemory, state.PrimaryHash);
        var entry = found.IsCompletedSuccessfully ? found.Result : await found.ConfigureAwait(false);
        if (entry?.VaryNames is { } names)
        {
            var hash = CacheKeyBuilder.WriteVariant(state, context.Request, context.RequestEdits.Added, names);
            found = store.GetAsync(hash, state.KeyMemory, state.PrimaryHash);
            entry = found.IsCompletedSuccessfully ? found.Result : await found.ConfigureAwait(false);
        }
        return entry is not null && (entry.VaryNames is null) && (!directives.HasAuthorization || entry.AllowsAuthorized) ? entry : null;
    }

    /// <summary>The request's directives; a bearer a JWT policy accepted, from a cookie as much as from Authorization, makes it authorized (RFC 9111 §3.5).</summary>
    private static RequestDirectives DirectivesOf(ExchangeContext context)
    {
        var directives = RequestDirectives.Of(context.Request);
        if (context.Claims is not null) directives.HasAuthorization = true;
        return directives;
    }

    /// <summary>The entry is fresh, young enough for the request's max-age, and stays fresh for its min-fresh.</summary>
    internal static bool IsFresh(CacheEntry entry, in RequestDirectives directives, long now) =>
        now < entry.ExpiresAt && (directives.MaxAge < 0 || CacheHitWriter.Age(entry, now) <= directives.MaxAge)
        && (directives.MinFresh <= 0 || now + directives.MinFresh * Stopwatch.Frequency < entry.ExpiresAt);

    /// <summary>The entry is fresh, young enough for the request's max-age, and allowed for a request with Authorization.</summary>
    internal static bool Serves(CacheEntry entry, in RequestDirectives directives, long now) =>
        IsFresh(entry, directives, now) && (!directives.HasAuthorization || entry.AllowsAuthorized);

    private ValueTask<CacheLookup> HitAsync(ExchangeContext context, CacheEntry entry)
    {
        Decide(context, CacheOutcome.Hit);
        return WriteEntryAsync(context, entry);
    }

    /// <summary>Writes a stored response to the client with the exchange's outcome as the status header; a 304 when the client's conditional holds.</summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    private async ValueTask<CacheLookup> WriteEntryAsync(ExchangeContext context, CacheEntry entry)
    {
        var state = context.Cache;
        var request = context.Request;
        var notModified = state.Directives.IsConditional && ClientConditional.NotModified(request, state.Directives, entry);
        context.Status = notModified ? 304 : entry.Status;
        context.ResponseEdits.Reset(null);
        Exchange.PrepareLocalEdits(context);
        if (_statusHeader.Length > 0) context.ResponseEdits.Add(_statusHeader, CacheOutcomes.HeaderValue(state.Outcome));
        var close = !request.KeepAlive || context.CloseConnection || context.ClientDraining;
        var written = await CacheHitWriter.WriteAsync(context, entry, close, notModified).ConfigureAwait(false);
        context.Outcome = written == RelayResult.Done ? ExchangeOutcome.Local : ExchangeOutcome.Aborted;
        if (written == RelayResult.SendTimedOut) context.AbortClient();
        else if (written != RelayResult.Done) context.CloseConnection = true;
        if (close) context.CloseConnection = true;
        return CacheLookup.Hit;
    }

    private CacheLookup Decide(ExchangeContext context, CacheOutcome outcome)
    {
        Settle(context, outcome);
        return CacheLookup.Miss;
    }

    /// <summary>The outcome is known: it is the status header's value and counted (a background refresh counts nothing).</summary>
    private void Settle(ExchangeContext context, CacheOutcome outcome)
    {
        var state = context.Cache;
        state.Outcome = outcome;
        state.OutcomePending = false;
        if (!state.Background) _route.Stats?.RecordCache(outcome);
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
