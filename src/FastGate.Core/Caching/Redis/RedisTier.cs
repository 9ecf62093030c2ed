using System.Diagnostics;
using StackExchange.Redis;

namespace FastGate.Caching;

/// <summary>
/// L2: one <see cref="ConnectionMultiplexer"/> to Redis (or a Redis Cluster), connected in the background and
/// reconnecting by itself (AbortOnConnectFail off; commands fail fast while it is down instead of queueing). A read
/// has its own timeout (<c>redis_timeout</c>) and goes through <see cref="L2Breaker"/>, so a slow or dead Redis
/// costs a request at most that timeout, and nothing once the breaker is open
/// (<c>redis_breaker_consecutive_failures</c>, <c>redis_breaker_open_duration</c>). Writes happen after a fill, in the
/// background. Purges are deleted here and published to every instance on the namespace's channel.
/// </summary>
public sealed class RedisTier : IAsyncDisposable
{
    private readonly RedisKeys _keys;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _writeTimeout;
    private readonly L2Breaker _breaker;
    private readonly long[] _reads = new long[4];
    private readonly string _instance = Guid.NewGuid().ToString("N");
    private readonly Action<PurgeRequest> _onPurge;
    private readonly Task<ConnectionMultiplexer> _connecting;
    private volatile ConnectionMultiplexer? _multiplexer;
    private long _errors, _writes, _purgesReceived;
    private bool _closed;
    private int _subscribed;

    public RedisTier(CacheOptions options, Action<PurgeRequest> onPurge)
    {
        _keys = new RedisKeys(options.Namespace);
        _timeout = options.RedisTimeout;
        _writeTimeout = options.RedisTimeout * 20;
        _breaker = new L2Breaker(options.RedisBreakerFailures, options.RedisBreakerOpenDuration);
        _onPurge = onPurge;
        Configuration = options.Redis;
        var config = ConfigurationOptions.Parse(options.Redis);
        config.AbortOnConnectFail = false;
        config.BacklogPolicy = BacklogPolicy.FailFast;
        config.ClientName ??= "fastgate";
        _connecting = ConnectAsync(config);
    }

    /// <summary>The <c>redis</c> setting this tier was made from.</summary>
    public string Configuration { get; }
    public string Namespace => _keys.Namespace;
    public bool Connected => _multiplexer?.IsConnected == true;

    /// <summary>The connection, once made; shared rate limits send their scripts on it too.</summary>
    internal ConnectionMultiplexer? Multiplexer => _multiplexer;
    public string Breaker => _breaker.State;
    public long BreakerOpened => _breaker.Opened;
    public long Reads(L2Result result) => Volatile.Read(ref _reads[(int)result]);
    /// <summary>Reads, writes and purge deletions that failed or timed out.</summary>
    public long Errors => Volatile.Read(ref _errors);
    public long Writes => Volatile.Read(ref _writes);
    public long PurgesReceived => Volatile.Read(ref _purgesReceived);

    private async Task<ConnectionMultiplexer> ConnectAsync(ConfigurationOptions config)
    {
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(config).ConfigureAwait(false);
        _multiplexer = multiplexer;
        // Subscribed once, when first connected (at start or later); the multiplexer restores it after a reconnect.
        multiplexer.ConnectionRestored += (_, _) => _ = SubscribeAsync(multiplexer);
        await SubscribeAsync(multiplexer).ConfigureAwait(false);
        // Not connected yet when the connect returned (it does not wait forever: AbortOnConnectFail is off), and no
        // "restored" event comes for a first connection: keep trying, or this instance never hears a purge.
        if (Volatile.Read(ref _subscribed) == 0) _ = SubscribeOnceConnectedAsync(multiplexer);
        return multiplexer;
    }

    private async Task SubscribeOnceConnectedAsync(ConnectionMultiplexer multiplexer)
    {
        while (Volatile.Read(ref _subscribed) == 0 && !Volatile.Read(ref _closed))
        {
            await Task.Delay(100).ConfigureAwait(false);
            await SubscribeAsync(multiplexer).ConfigureAwait(false);
        }
    }

    private async Task SubscribeAsync(ConnectionMultiplexer multiplexer)
    {
        if (!multiplexer.IsConnected || Interlocked.CompareExchange(ref _subscribed, 1, 0) != 0) return;
        try
        {
            await multiplexer.GetSubscriber().SubscribeAsync(_keys.Purges, (_, message) => Received(message)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            Volatile.Write(ref _subscribed, 0);
        }
    }

    /// <summary>The entry under the hashes whose full key is <paramref name="key"/>; null for a miss, an error, a timeout or a skip.</summary>
    public async ValueTask<CacheEntry?> GetAsync(ulong hash, ReadOnlyMemory<byte> key, ulong primary)
    {
        if (_multiplexer is not { IsConnected: true } multiplexer || !_breaker.TryAdmit()) return Count(L2Result.Skipped, null);
        try
        {
            using var lease = await multiplexer.GetDatabase().StringGetLeaseAsync(_keys.Entry(primary, hash)).WaitAsync(_timeout).ConfigureAwait(false);
            _breaker.Success();
            if (lease is null) return Count(L2Result.Miss, null);
            var entry = EntryCodec.Decode(lease.Span, hash, primary, Stopwatch.GetTimestamp(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            // A hash collision (another key under the same name) is a miss, never a wrong answer.
            return entry is not null && key.Span.SequenceEqual(entry.Key) ? Count(L2Result.Hit, entry) : Count(L2Result.Miss, null);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            Failed();
            return Count(L2Result.Error, null);
        }
    }

    /// <summary>
    /// Writes a filled entry (and a variant's marker) in the background, with its remaining freshness as the Redis
    /// TTL plus the time it may still be used stale: its stale-while-revalidate or stale-if-error window, and
    /// <see cref="RevalidationKeep"/> for one with a validator.
    /// </summary>
    public void Write(CacheEntry entry)
    {
        if (_multiplexer is not { IsConnected: true } multiplexer || !_breaker.TryAdmit()) return;
        _ = WriteAsync(multiplexer.GetDatabase(), entry);
    }

    /// <summary>How long past its freshness L2 keeps an entry with a validator, so another instance can revalidate it instead of fetching it whole.</summary>
    public static readonly TimeSpan RevalidationKeep = TimeSpan.FromMinutes(10);

    private static TimeSpan StaleKeep(CacheEntry entry)
    {
        if (entry.VaryNames is not null) return TimeSpan.Zero;
        var rules = ResponseDirectives.OfStored(entry.Head, DateTimeOffset.UtcNow);
        var keep = TimeSpan.FromSeconds(Math.Max(0, rules.AllowsStale ? Math.Max(rules.StaleWhileRevalidate, rules.StaleIfError) : 0));
        return rules.HasValidator && keep < RevalidationKeep ? RevalidationKeep : keep;
    }

    private async Task WriteAsync(IDatabase db, CacheEntry entry)
    {
        try
        {
            var now = Stopwatch.GetTimestamp();
            var ttl = Stopwatch.GetElapsedTime(now, entry.ExpiresAt) + StaleKeep(entry);
            if (ttl <= TimeSpan.Zero) return;
            var unixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var name = _keys.Entry(entry.PrimaryHash, entry.Hash);
            var value = EntryCodec.Encode(entry, now, unixMs);
            if (entry.Marker is { } marker)
            {
                // The marker lives as long as its longest-lived variant: kept TTL, set when it had none, raised when shorter.
                var markerName = _keys.Entry(marker.Hash, marker.Hash);
                var transaction = db.CreateTransaction();
                _ = transaction.StringSetAsync(markerName, EntryCodec.Encode(marker, now, unixMs), Expiration.KeepTtl);
                _ = transaction.KeyExpireAsync(markerName, ttl, ExpireWhen.HasNoExpiry);
                _ = transaction.KeyExpireAsync(markerName, ttl, ExpireWhen.GreaterThanCurrentExpiry);
                _ = transaction.StringSetAsync(name, value, ttl);
                await transaction.ExecuteAsync().WaitAsync(_writeTimeout).ConfigureAwait(false);
            }
            else await db.StringSetAsync(name, value, ttl).WaitAsync(_writeTimeout).ConfigureAwait(false);
            foreach (var tag in entry.Tags)
            {
                var set = _keys.Tag(tag);
                await db.SetAddAsync(set, name.ToString()).WaitAsync(_writeTimeout).ConfigureAwait(false);
                _ = db.KeyExpireAsync(set, ttl, ExpireWhen.HasNoExpiry, CommandFlags.FireAndForget);
                _ = db.KeyExpireAsync(set, ttl, ExpireWhen.GreaterThanCurrentExpiry, CommandFlags.FireAndForget);
            }
            _breaker.Success();
            Interlocked.Increment(ref _writes);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            Failed();
        }
    }

    /// <summary>
    /// Deletes what <paramref name="filter"/> matches from Redis: a tag through its set; a URL, prefix or glob by a
    /// SCAN of the namespace on every primary, reading each value's key with GETRANGE. Returns how many, or -1 when
    /// Redis is not reachable.
    /// </summary>
    public async Task<long> DeleteAsync(PurgeFilter filter)
    {
        if (_multiplexer is not { IsConnected: true } multiplexer) return -1;
        try
        {
            var db = multiplexer.GetDatabase();
            var request = filter.Request;
            long deleted = 0;
            if (request.Kind == PurgeKind.Tag)
            {
                var set = _keys.Tag(request.Value);
                foreach (var member in await db.SetMembersAsync(set).ConfigureAwait(false))
                {
                    if (await db.KeyDeleteAsync((string)member!).ConfigureAwait(false)) deleted++;
                }
                await db.KeyDeleteAsync(set).ConfigureAwait(false);
                return deleted;
            }
            foreach (var server in multiplexer.GetServers())
            {
                if (server.IsReplica || !server.IsConnected) continue;
                await foreach (var name in server.KeysAsync(pattern: _keys.EntryPattern, pageSize: 1000).ConfigureAwait(false))
                {
                    var head = (byte[]?)await db.StringGetRangeAsync(name, 0, 4095).ConfigureAwait(false);
                    if (head is null) continue;
                    if (!EntryCodec.TryReadKey(head, out _))
                        head = (byte[]?)await db.StringGetAsync(name).ConfigureAwait(false);
                    if (head is null || !EntryCodec.TryReadKey(head, out var key)) continue;
                    if (filter.Matches(key, []) && await db.KeyDeleteAsync(name).ConfigureAwait(false)) deleted++;
                }
            }
            return deleted;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            Failed();
            return -1;
        }
    }

    /// <summary>Tells every instance on the namespace's channel; false when Redis is not reachable.</summary>
    public async Task<bool> PublishAsync(PurgeRequest request)
    {
        if (_multiplexer is not { IsConnected: true } multiplexer) return false;
        try
        {
            await multiplexer.GetSubscriber().PublishAsync(_keys.Purges, $"{_instance} {request.Message}").WaitAsync(_writeTimeout).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            Failed();
            return false;
        }
    }

    private void Received(RedisValue message)
    {
        var text = (string?)message ?? "";
        var space = text.IndexOf(' ');
        // This instance purged its own L1 before it published.
        if (space < 0 || text.AsSpan(0, space).SequenceEqual(_instance)) return;
        if (PurgeRequest.FromMessage(text[(space + 1)..]) is not { } request) return;
        Interlocked.Increment(ref _purgesReceived);
        _onPurge(request);
    }

    private CacheEntry? Count(L2Result result, CacheEntry? entry)
    {
        Interlocked.Increment(ref _reads[(int)result]);
        return entry;
    }

    private void Failed()
    {
        Interlocked.Increment(ref _errors);
        _breaker.Failure();
    }

    public async ValueTask DisposeAsync()
    {
        Volatile.Write(ref _closed, true);
        try
        {
            var multiplexer = await _connecting.ConfigureAwait(false);
            await multiplexer.DisposeAsync().ConfigureAwait(false);
        }
        catch (RedisException)
        {
        }
    }
}
