using System.Security.Cryptography;
using System.Text;

namespace FastGate.Policies.RateLimiting;

/// <summary>
/// The Lua script of one algorithm for a shared limit: one key, one atomic decision on Redis's own clock (TIME, in
/// microseconds, so gateways whose clocks differ still agree). Each returns <c>{allowed, remaining, µs}</c>: µs is
/// the wait before a retry when refused, the time until the quota is whole again when allowed. Sent as EVALSHA by
/// <see cref="Hash"/>; on NOSCRIPT (a restarted or flushed Redis) once as EVAL, which caches it again.
/// </summary>
internal sealed class SharedScript
{
    /// <summary>
    /// token_bucket as GCRA: the key holds the theoretical arrival time; ARGV: emission interval and tolerance
    /// (burst × interval), µs. Kept with PX until it would be back at "now" (then it equals a missing key).
    /// </summary>
    public static readonly SharedScript Gcra = new("tb", """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local interval, tolerance = tonumber(ARGV[1]), tonumber(ARGV[2])
        local tat = tonumber(redis.call('GET', KEYS[1])) or now
        if tat < now then tat = now end
        local new = tat + interval
        local ahead = new - now
        if ahead > tolerance then return {0, 0, ahead - tolerance} end
        redis.call('SET', KEYS[1], string.format('%.0f', new), 'PX', math.ceil(ahead / 1000) + 1)
        return {1, math.floor((tolerance - ahead) / interval), ahead}
        """);

    /// <summary>fixed_window: a count that expires at the end of its clock-aligned window; ARGV: period (µs) and rate.</summary>
    public static readonly SharedScript FixedWindow = new("fw", """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local period, rate = tonumber(ARGV[1]), tonumber(ARGV[2])
        local left = (math.floor(now / period) + 1) * period - now
        local count = tonumber(redis.call('GET', KEYS[1])) or 0
        if count >= rate then return {0, 0, left} end
        count = redis.call('INCR', KEYS[1])
        if count == 1 then redis.call('PEXPIRE', KEYS[1], math.ceil(left / 1000)) end
        return {1, rate - count, left}
        """);

    /// <summary>
    /// sliding_window, the sliding window counter (as the local one): a hash of the window number and the current
    /// and previous windows' counts; ARGV: period (µs) and rate. Kept for two periods.
    /// </summary>
    public static readonly SharedScript SlidingWindow = new("sw", """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local period, rate = tonumber(ARGV[1]), tonumber(ARGV[2])
        local window = math.floor(now / period)
        local into = now - window * period
        local s = redis.call('HMGET', KEYS[1], 'w', 'c', 'p')
        local w, c, p = tonumber(s[1]), tonumber(s[2]) or 0, tonumber(s[3]) or 0
        if w ~= window then
          if w == window - 1 then p = c else p = 0 end
          c = 0
        end
        local weighted = math.floor(p * (period - into) / period)
        if weighted + c + 1 > rate then
          local room = rate - 1 - c
          if room >= 0 then
            local at = into
            if p > 0 then at = period - math.floor(period * room / p) end
            return {0, 0, math.max(1, at - into)}
          end
          return {0, 0, period - into + math.max(0, period - math.floor(period * (rate - 1) / math.max(1, c)))}
        end
        c = c + 1
        redis.call('HSET', KEYS[1], 'w', window, 'c', c, 'p', p)
        redis.call('PEXPIRE', KEYS[1], math.ceil(2 * period / 1000))
        return {1, rate - weighted - c, period - into}
        """);

    private SharedScript(string tag, string text)
    {
        Tag = tag;
        Text = text;
        // SHA-1 because EVALSHA names scripts by it; nothing here relies on it being collision-resistant.
#pragma warning disable CA5350
        Hash = SHA1.HashData(Encoding.UTF8.GetBytes(text));
#pragma warning restore CA5350
    }

    /// <summary>Short algorithm name in the Redis key, so a changed algorithm never reads another's value type.</summary>
    public string Tag { get; }
    public string Text { get; }
    public byte[] Hash { get; }

    public static SharedScript For(RateLimitAlgorithm algorithm) => algorithm switch
    {
        RateLimitAlgorithm.FixedWindow => FixedWindow,
        RateLimitAlgorithm.SlidingWindow => SlidingWindow,
        _ => Gcra,
    };
}
