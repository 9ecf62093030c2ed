using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using FastGate.Caching;
using FastGate.Proxy;
using FastGate.Telemetry;
using FastGate.Telemetry.Logging;
using FastGate.Threading;
using StackExchange.Redis;

namespace FastGate.Policies.RateLimiting;

/// <summary>
/// The Redis side of a shared limit: one EVALSHA of the algorithm's <see cref="SharedScript"/> per decision, on the
/// cache's connection (<c>cache.redis</c>), under <c>redis_timeout</c> and a breaker of its own. The key is
/// <c>namespace:rl:policy:algorithm:{key}</c> (one key, so one Cluster slot). When Redis cannot answer (not
/// connected, breaker open, an error, or no answer in time) the policy's local buckets decide instead: counted in
/// <c>fastgate_rate_limit_fallback_total{policy}</c> and logged once per outage, with a second line when Redis
/// answers again. A client request never fails because of Redis.
/// </summary>
internal sealed class SharedLimiter
{
    private static readonly double TicksPerMicrosecond = Stopwatch.Frequency / 1e6;

    private readonly CacheRuntime _cache;
    private readonly SharedScript _script;
    private readonly RedisValue[] _args;
    private readonly byte[] _prefix;
    private readonly TimeSpan _timeout;
    private readonly L2Breaker _breaker;
    private readonly string _name;
    private int _loaded;
    private int _degraded;

    public SharedLimiter(RateLimitDefinition definition, CacheRuntime cache, CacheOptions options, StripedCounters fallbacks)
    {
        _cache = cache;
        _name = definition.Name;
        Fallbacks = fallbacks;
        var rule = definition.Rule;
        _script = SharedScript.For(rule.Algorithm);
        _timeout = definition.RedisTimeout ?? options.RedisTimeout;
        // The cache's breaker settings: one outage, judged the same way on both Redis paths.
        _breaker = new L2Breaker(options.RedisBreakerFailures, options.RedisBreakerOpenDuration);
        var period = (long)rule.Period.TotalMicroseconds;
        if (rule.Algorithm == RateLimitAlgorithm.TokenBucket)
        {
            var interval = Math.Max(1, period / rule.Rate);
            _args = [interval, interval * rule.Burst];
        }
        else _args = [period, rule.Rate];
        _prefix = Encoding.ASCII.GetBytes($"{options.Namespace}:rl:{definition.Name}:{_script.Tag}:{{");
    }

    /// <summary>Decisions the local buckets took because Redis could not answer; carried across reloads by policy name.</summary>
    internal StripedCounters Fallbacks { get; }

    public string Breaker => _breaker.State;

    public ValueTask<PolicyDecision> DecideAsync(RateLimitPolicy policy, ExchangeContext context, ReadOnlySpan<byte> key)
    {
        if (_cache.L2?.Multiplexer is not { IsConnected: true } multiplexer) return new(Fallback(policy, context, key, "not connected"));
        if (!_breaker.TryAdmit()) return new(Fallback(policy, context, key, "breaker open"));
        var name = new byte[_prefix.Length + key.Length + 1];
        _prefix.CopyTo(name, 0);
        key.CopyTo(name.AsSpan(_prefix.Length));
        name[^1] = (byte)'}';
        return AskAsync(policy, context, multiplexer.GetDatabase(), name);
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    private async ValueTask<PolicyDecision> AskAsync(RateLimitPolicy policy, ExchangeContext context, IDatabase db, byte[] name)
    {
        RedisResult result;
        try
        {
            RedisKey[] keys = [name];
            try
            {
                // EVAL until Redis is known to hold the script, then EVALSHA; NOSCRIPT (Redis restarted or flushed) goes back.
                var loaded = Volatile.Read(ref _loaded) != 0;
                result = await (loaded ? db.ScriptEvaluateAsync(_script.Hash, keys, _args) : db.ScriptEvaluateAsync(_script.Text, keys, _args))
                    .WaitAsync(_timeout).ConfigureAwait(false);
                if (!loaded) Volatile.Write(ref _loaded, 1);
            }
            catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
            {
                Volatile.Write(ref _loaded, 0);
                result = await db.ScriptEvaluateAsync(_script.Text, keys, _args).WaitAsync(_timeout).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            _breaker.Failure();
            return Fallback(policy, context, LocalKey(name), ex is TimeoutException ? "no answer within redis_timeout" : ex.Message);
        }
        if (result.Resp2Type != ResultType.Array || result.Length != 3)
        {
            _breaker.Failure();
            return Fallback(policy, context, LocalKey(name), "unexpected script result");
        }
        _breaker.Success();
        if (Volatile.Read(ref _degraded) != 0 && Interlocked.Exchange(ref _degraded, 0) != 0)
            Log.Notice($"rate limit {_name}: Redis answers again; the shared budget decides");
        var allowed = (long)result[0] == 1;
        var micros = (long)result[2];
        var verdict = new RateLimitVerdict
        {
            Remaining = (long)result[1],
            RetryAfterTicks = allowed ? 0 : Ticks(micros),
            ResetTicks = allowed ? Ticks(micros) : 0,
        };
        return policy.Decide(context, allowed, verdict);
    }

    private ReadOnlySpan<byte> LocalKey(byte[] name) => name.AsSpan(_prefix.Length, name.Length - _prefix.Length - 1);

    private static long Ticks(long micros) => (long)(micros * TicksPerMicrosecond);

    private PolicyDecision Fallback(RateLimitPolicy policy, ExchangeContext context, ReadOnlySpan<byte> key, string reason)
    {
        Fallbacks.Increment(0);
        if (Volatile.Read(ref _degraded) == 0 && Interlocked.CompareExchange(ref _degraded, 1, 0) == 0)
            Log.Warn($"rate limit {_name}: Redis cannot decide ({reason}); this instance's local limit decides until it can");
        return policy.DecideLocally(context, key);
    }
}
