using System.Buffers.Text;
using System.Diagnostics;
using System.Security.Cryptography;
using FastGate.Proxy;
using FastGate.Telemetry;

namespace FastGate.Policies.RateLimiting;

/// <summary>
/// A rate limit on one route (phase 3): the request's key picks its bucket; over the limit, the gateway answers
/// 429 with Retry-After and the RateLimit-Policy / RateLimit fields of draft-ietf-httpapi-ratelimit-headers-10,
/// and counts it in <c>fastgate_rate_limited_total{route,policy}</c>. No allocation once a key has its bucket.
/// </summary>
public sealed class RateLimitPolicy : IRequestPolicy
{
    /// <summary>Longer keys (a big header value) are replaced by their SHA-256, so a bucket's key stays small.</summary>
    private const int MaxRawKey = 64;

    private static readonly ValueTask<PolicyDecision> Continue = new(PolicyDecision.Continue);
    private static readonly ValueTask<PolicyDecision> Respond = new(PolicyDecision.Respond);

    [ThreadStatic] private static byte[]? t_key;

    public RateLimitPolicy(RateLimitDefinition definition, string route)
    {
        Definition = definition;
        Route = route;
    }

    public RateLimitDefinition Definition { get; }
    public string Route { get; }

    /// <summary>Rejections on this route by this policy; carried across reloads by route and policy name.</summary>
    internal StripedCounters Rejections { get; set; } = new(1);

    public long Rejected => Rejections.ReadAll();

    /// <summary>Every rate limit compiled into <paramref name="snapshot"/>'s routes, route by route in list order.</summary>
    public static IEnumerable<RateLimitPolicy> All(Configuration.GatewaySnapshot snapshot)
    {
        foreach (var route in snapshot.Routes.Routes)
        {
            foreach (var policy in route.Policies.Request)
            {
                if (policy is RateLimitPolicy limit) yield return limit;
            }
        }
    }

    public ValueTask<PolicyDecision> OnRequestAsync(ExchangeContext context)
    {
        var now = Stopwatch.GetTimestamp();
        var bucket = Definition.Buckets.Get(BuildKey(context, Definition.Key), now);
        if (bucket.TryAcquire(now, out var verdict)) return Continue;
        Rejections.Increment(0);
        Reject(context, verdict.RetryAfterTicks);
        return Respond;
    }

    private void Reject(ExchangeContext context, long retryAfterTicks)
    {
        var seconds = Math.Max(1, (retryAfterTicks + Stopwatch.Frequency - 1) / Stopwatch.Frequency);
        context.Local.Set(429);
        var headers = context.Local.Headers;
        Span<byte> number = stackalloc byte[20];
        Utf8Formatter.TryFormat(seconds, number, out var digits);
        headers.Add("Retry-After"u8, number[..digits]);
        headers.Add("RateLimit-Policy"u8, Definition.PolicyHeader);
        var prefix = Definition.RemainingPrefix;
        Span<byte> value = stackalloc byte[prefix.Length + digits];
        prefix.CopyTo(value);
        number[..digits].CopyTo(value[prefix.Length..]);
        headers.Add("RateLimit"u8, value);
    }

    /// <summary>The key's parts joined by NUL (which no part can hold), in a per-thread buffer; hashed when long.</summary>
    private static ReadOnlySpan<byte> BuildKey(ExchangeContext context, RateLimitKeyPart[] parts)
    {
        var length = parts.Length;
        foreach (var part in parts) length += Part(context, part).Length;
        var buffer = t_key;
        if (buffer is null || buffer.Length < length) t_key = buffer = new byte[Math.Max(length, 256)];
        var written = 0;
        foreach (var part in parts)
        {
            var bytes = Part(context, part);
            bytes.CopyTo(buffer.AsSpan(written));
            written += bytes.Length;
            buffer[written++] = 0;
        }
        if (written <= MaxRawKey) return buffer.AsSpan(0, written);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(buffer.AsSpan(0, written), digest);
        buffer[0] = 0xFF;
        digest.CopyTo(buffer.AsSpan(1));
        return buffer.AsSpan(0, 1 + SHA256.HashSizeInBytes);
    }

    private static ReadOnlySpan<byte> Part(ExchangeContext context, in RateLimitKeyPart part)
    {
        switch (part.Kind)
        {
            case RateLimitKeyKind.ClientIp: return context.ClientAddress;
            case RateLimitKeyKind.Route: return context.Route is { } route ? route.NameBytes : default;
            default:
                var index = RequestFields.Find(context.Request, part.Name);
                return index >= 0 ? context.Request.Value(index) : default;
        }
    }
}
