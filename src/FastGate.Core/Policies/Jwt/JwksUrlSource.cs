using System.Diagnostics;
using System.Net.Http;
using FastGate.Telemetry.Logging;

namespace FastGate.Policies.Jwt;

/// <summary>
/// <c>jwks = "https://..."</c>: fetched on the first request that needs it, then refreshed in the background every
/// <c>jwks_refresh</c>, and at once (at most every <see cref="UnknownKidInterval"/>) when a token names a kid the set
/// lacks. A failed fetch keeps the last good keys and is logged once until a fetch succeeds again. The background
/// loop holds the source weakly, so a source a reload dropped stops refreshing once it is collected.
/// </summary>
internal sealed class JwksUrlSource : IJwtKeySource
{
    public static readonly TimeSpan UnknownKidInterval = TimeSpan.FromSeconds(30);
    private const int MaxDocument = 1 << 20;

    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = TimeSpan.FromSeconds(10),
        MaxResponseContentBufferSize = MaxDocument,
    };

    private readonly Uri _uri;
    private readonly TimeSpan _refresh;
    private readonly Lock _lock = new();
    private volatile JwtKeySet? _keys;
    private Task<JwtKeySet?>? _first;
    private Task<JwtKeySet?>? _inflight;
    private long _lastUnknownKidRefresh = long.MinValue;
    private bool _failing;

    public JwksUrlSource(Uri uri, TimeSpan refresh)
    {
        _uri = uri;
        _refresh = refresh;
    }

    public JwtKeySet? Keys => _keys;

    private long _fetches;

    /// <summary>Fetches so far.</summary>
    public long Fetches => Volatile.Read(ref _fetches);

    public Task<JwtKeySet?> LoadAsync()
    {
        // A first fetch that failed is retried like an unknown kid (rate-limited); the background loop retries too.
        if (_first is { } first) return first.IsCompleted && _keys is null ? RefreshForUnknownKid() ?? first : first;
        lock (_lock)
        {
            if (_first is null)
            {
                _first = FetchAsync();
                _ = RefreshLoopAsync(new WeakReference<JwksUrlSource>(this), _refresh);
            }
            return _first;
        }
    }

    public Task<JwtKeySet?>? RefreshForUnknownKid()
    {
        var now = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            if (_inflight is { IsCompleted: false } running) return running;
            if (_lastUnknownKidRefresh != long.MinValue && Stopwatch.GetElapsedTime(_lastUnknownKidRefresh, now) < UnknownKidInterval) return null;
            _lastUnknownKidRefresh = now;
            return _inflight = FetchAsync();
        }
    }

    private static async Task RefreshLoopAsync(WeakReference<JwksUrlSource> weak, TimeSpan period)
    {
        while (true)
        {
            await Task.Delay(period).ConfigureAwait(false);
            if (!weak.TryGetTarget(out var source)) return;
            await source.FetchAsync().ConfigureAwait(false);
        }
    }

    private async Task<JwtKeySet?> FetchAsync()
    {
        Interlocked.Increment(ref _fetches);
        string error;
        try
        {
            using var response = await Http.GetAsync(_uri).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                var json = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                if (JwtKeyReader.Jwks(json, out error) is { } keys)
                {
                    _keys = keys;
                    if (_failing) Log.Info($"jwks {_uri}: fetched again ({keys.Keys.Length} keys)");
                    _failing = false;
                    return keys;
                }
            }
            else error = $"HTTP {(int)response.StatusCode}";
        }
        catch (Exception ex) // a network or document failure of any kind keeps the last good keys
        {
            error = ex.Message;
        }
        if (!_failing) Log.Warn($"jwks {_uri}: fetch failed ({error}); {(_keys is null ? "no keys yet" : "keeping the last good keys")}");
        _failing = true;
        return _keys;
    }
}
