using System.Buffers.Text;
using System.Diagnostics;
using System.Security.Cryptography;
using FastGate.Proxy;
using FastGate.Telemetry;

namespace FastGate.Policies.RateLimiting;

/// <summary>
/// A rate limit on one route (phase 3): the request's key picks its bucket (or, for a shared limit, its Redis key);
/// over the limit, the gateway answers 429 with Retry-After and the RateLimit-Policy / RateLimit fields of
/// draft-ietf-httpapi-ratelimit-headers-10, and counts it in <c>fastgate_rate_limited_total{route,policy}</c>. With
/// <c>headers = true</c> (the default) allowed responses carry the two fields too (phase 6). A local limit
/// allocates nothing once a key has its bucket.
/// </summary>
public sealed class RateLimitPolicy : IRequestPolicy, IResponsePolicy
{
    /// <summary>Longer keys (a big header value) are replaced by their SHA-256, so a bucket's key stays small.</summary>
    private const int MaxRawKey = 64;

    private static readonly ValueTask<PolicyDecision> Continue = new(PolicyDecision.Continue);
    private static readonly ValueTask<PolicyDecision> Respond = new(PolicyDecision.Respond);

    [ThreadStatic] private static byte[]? t_key;

    public RateLimitPolicy(RateLimitDefinition definition, string route, int slot)
    {
        Definition = definition;
        Route = route;
        Slot = slot;
    }

    /// <summary>Where this limit keeps its verdict in the context for the response's fields; -1: none (<c>headers = false</c>).</summary>
    internal int Slot { get; }

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
        var key = BuildKey(context, Definition.Key);
        if (Definition.Shared is { } shared) return shared.DecideAsync(this, context, key);
        return DecideLocally(context, key) == PolicyDecision.Continue ? Continue : Respond;
    }

    /// <summary>The answer of this process's own buckets: a local limit, or a shared one while Redis cannot answer.</summary>
    internal PolicyDecision DecideLocally(ExchangeContext context, ReadOnlySpan<byte> key)
    {
        var now = Stopwatch.GetTimestamp();
        var allowed = Definition.Buckets.Get(key, now).TryAcquire(now, out var verdict);
        return Decide(context, allowed, verdict);
    }

    internal PolicyDecision Decide(ExchangeContext context, bool allowed, in RateLimitVerdict verdict)
    {
        if (allowed)
        {
            if (Slot >= 0)
            {
                ref var slot = ref context.RateLimits[Slot];
                slot.Stamp = context.StartedAt;
                slot.Verdict = verdict;
            }
            return PolicyDecision.Continue;
        }
        Rejections.Increment(0);
        Reject(context, verdict.RetryAfterTicks);
        return PolicyDecision.Respond;
    }

    /// <summary>Phase 6, with <c>headers = true</c>: the quota left after an allowed request (a 429 carries its own).</summary>
    public void OnResponse(ExchangeContext context)
    {
        ref var slot = ref context.RateLimits[Slot];
        if (slot.Stamp != context.StartedAt) return;
        var headers = context.ResponseEdits.Added;
        headers.Add("RateLimit-Policy"u8, Definition.PolicyHeader);
        var name = Definition.NamePrefix;
        Span<byte> value = stackalloc byte[name.Length + 48];
        name.CopyTo(value);
        var at = name.Length;
        "r="u8.CopyTo(value[at..]);
        at += 2;
        Utf8Formatter.TryFormat(Math.Max(0, slot.Verdict.Remaining), value[at..], out var digits);
        at += digits;
        ";t="u8.CopyTo(value[at..]);
        at += 3;
        Utf8Formatter.TryFormat(Seconds(slot.Verdict.ResetTicks, 0), value[at..], out digits);
        headers.Add("RateLimit"u8, value[..(at + digits)]);
    }

    /// <summary>Whole seconds, rounded up, at least <paramref name="least"/>.</summary>
    private static long Seconds(long ticks, long least) => Math.Max(least, (ticks + Stopwatch.Frequency - 1) / Stopwatch.Frequency);

    private void Reject(ExchangeContext context, long retryAfterTicks)
    {
        var seconds = Seconds(retryAfterTicks, 1);
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

    /// <summary>
    /// The key in a per-thread buffer, hashed when long: one part as it is (readable in Redis); several each after its
    /// length (4 bytes, little-endian) rather than a separator, since a claim may hold any byte, so no two lists of
    /// parts make the same key.
    /// </summary>
    private static ReadOnlySpan<byte> BuildKey(ExchangeContext context, RateLimitKeyPart[] parts)
    {
        if (parts.Length == 1 && Part(context, parts[0]) is var single && single.Length <= MaxRawKey) return single;
        var length = parts.Length * sizeof(int);
        foreach (var part in parts) length += Part(context, part).Length;
        var buffer = t_key;
        if (buffer is null || buffer.Length < length) t_key = buffer = new byte[Math.Max(length, 256)];
        var written = 0;
        foreach (var part in parts)
        {
            var bytes = Part(context, part);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(written), bytes.Length);
            written += sizeof(int);
            bytes.CopyTo(buffer.AsSpan(written));
            written += bytes.Length;
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
            case RateLimitKeyKind.Claim: return context.Claims is { } claims ? claims.Get(part.Name) : default;
            default:
                var index = RequestFields.Find(context.Request, part.Name);
                return index >= 0 ? context.Request.Value(index) : default;
        }
    }
}
