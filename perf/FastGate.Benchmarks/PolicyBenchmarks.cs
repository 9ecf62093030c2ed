using System.Buffers;
using System.Net;
using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using FastGate.Configuration;
using FastGate.Http;
using FastGate.Policies;
using FastGate.Proxy;
using FastGate.Routing;

namespace FastGate.Benchmarks;

/// <summary>
/// Phase 3 of a route with one local rate limit (token bucket by client IP) and one transform (a header set from
/// {client_ip}, one removed), then the upstream head written with the edits; against the same head on a route
/// without policies, a rejected request (the 429 with its headers), and System.Threading.RateLimiting's
/// TokenBucketRateLimiter for reference. Target: 0 B per request.
/// </summary>
[MemoryDiagnoser]
public class PolicyBenchmarks
{
    private readonly ExchangeContext _context = new();
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private Route _plain = null!, _limited = null!, _exhausted = null!, _regex = null!;
    private TokenBucketRateLimiter _reference = null!;
    private readonly FastGate.Policies.RateLimiting.TokenBucket _own = new(interval: 1000, tolerance: 1000L * 1_000_000);
    private FastGate.Policies.RateLimiting.PartitionMap _map = null!;
    private FastGate.Policies.RateLimiting.RateLimitBucket _limitedBucket = null!;
    private TokenBucketRateLimiter _referenceExhausted = null!;
    private readonly FastGate.Policies.Transforms.PathRegex _firstSeen = FastGate.Policies.Transforms.PathRegex.Create("^/app/(.*)$", "/v2/$1", out _)!;
    private static ReadOnlySpan<byte> RequestId => "0b6a3c1e-58d2-4f7a-9e41-6c2d8f0a7b13"u8;

    [GlobalSetup]
    public void Setup()
    {
        var loaded = ConfigLoader.LoadText("""
            [clusters.backend]
            destinations = ["127.0.0.1:8080"]
            [policies.per_ip]
            type = "rate_limit"
            key = "client_ip"
            rate = 1000000
            period = "1s"
            [policies.none_left]
            type = "rate_limit"
            rate = 1
            period = "24h"
            [policies.rewrite]
            type = "transform"
            path_regex = { pattern = "^/app/(.*)$", replace = "/v2/$1" }
            [policies.tag]
            type = "transform"
            request_headers = { set = { "X-Client" = "{client_ip}" }, remove = ["X-Debug"] }
            [routes.plain]
            path = "/plain/{**rest}"
            cluster = "backend"
            [routes.limited]
            path = "/app/{**rest}"
            cluster = "backend"
            policies = ["per_ip", "tag"]
            [routes.regex]
            path = "/v1/{**rest}"
            cluster = "backend"
            policies = ["rewrite"]
            [routes.exhausted]
            path = "/exhausted"
            cluster = "backend"
            policies = ["none_left"]
            """, "bench.toml");
        if (loaded.Snapshot is not { } snapshot) throw new InvalidOperationException(loaded.ErrorText);
        _plain = snapshot.Routes.Routes.Single(r => r.Name == "plain");
        _limited = snapshot.Routes.Routes.Single(r => r.Name == "limited");
        _exhausted = snapshot.Routes.Routes.Single(r => r.Name == "exhausted");
        _regex = snapshot.Routes.Routes.Single(r => r.Name == "regex");
        var client = new ClientInfo(new IPEndPoint(IPAddress.Parse("203.0.113.7"), 51234), isHttps: false, trustedProxies: []);
        _context.Bind(null!, null!, null!, null!, client, []);
        var status = new Http1RequestParser().TryParse(new ReadOnlySequence<byte>(Samples.BrowserGet), _context.Request, HttpLimits.Default, out _, out _);
        if (status != ParseStatus.Complete) throw new InvalidOperationException("sample request did not parse");
        _reference = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = 1_000_000, TokensPerPeriod = 1_000_000, ReplenishmentPeriod = TimeSpan.FromSeconds(1), QueueLimit = 0, AutoReplenishment = true,
        });
        _referenceExhausted = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = 1, TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromHours(24), QueueLimit = 0, AutoReplenishment = true,
        });
        _referenceExhausted.AttemptAcquire().Dispose();
        _map = new FastGate.Policies.RateLimiting.PartitionMap(() => new FastGate.Policies.RateLimiting.TokenBucket(1000, 1000L * 1_000_000));
        Run(_limited);
        Run(_exhausted);
        // A million per second is the highest rate; faster calls than that would drain it and measure the 429.
        var perIp = (FastGate.Policies.RateLimiting.RateLimitDefinition)snapshot.Policies["per_ip"];
        _limitedBucket = perIp.Buckets.Get("203.0.113.7\0"u8, System.Diagnostics.Stopwatch.GetTimestamp());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _reference.Dispose();
        _referenceExhausted.Dispose();
    }

    private int Run(Route route, bool write = true)
    {
        _context.Route = route;
        _context.RequestEdits.Reset();
        var head = _context.Request;
        for (var i = 0; i < head.FieldCount; i++) head.Field(i).Drop = false; // as parsed, for every run
        _context.Local.Reset();
        _limitedBucket?.Reset(); // one write: the allowed path every time
        var policies = route.Policies.Request;
        for (var i = 0; i < policies.Length; i++)
        {
            if (policies[i].OnRequestAsync(_context).Result == PolicyDecision.Respond) return -1;
        }
        if (!write) return 0;
        _output.ResetWrittenCount();
        RequestHeadWriter.Write(_output, _context.Request, route, route.Cluster.Destinations[0], _context.Client, "X-Request-ID"u8, RequestId,
            edits: _context.RequestEdits);
        return _output.WrittenCount;
    }

    [Benchmark(Baseline = true)]
    public int NoPolicies() => Run(_plain);

    [Benchmark]
    public int RateLimitAndTransform() => Run(_limited);

    /// <summary>Phase 3 alone: the rate limit's key and bucket, the transform's edits.</summary>
    [Benchmark]
    public int RateLimitAndTransformPoliciesOnly() => Run(_limited, write: false);

    [Benchmark]
    public int RateLimitRejected() => Run(_exhausted);

    /// <summary>The regex matches the sample's path, seen before: the rewrite comes from the memo (0 B).</summary>
    [Benchmark]
    public int PathRegexRewrite() => Run(_regex);

    /// <summary>A path not seen before: the regex runs and the replaced string is allocated (a known cost of path_regex).</summary>
    [Benchmark]
    [BenchmarkCategory(Categories.KnownAllocation)]
    public int PathRegexFirstSeen() => _firstSeen.Rewrite("/app/orders/42"u8)!.Length;

    /// <summary>FastGate's token bucket alone (one CAS), to compare with System.Threading.RateLimiting's below.</summary>
    [Benchmark]
    public bool OwnTokenBucketAllowed()
    {
        _own.Reset();
        return _own.TryAcquire(System.Diagnostics.Stopwatch.GetTimestamp(), out _);
    }

    /// <summary>The bucket found by its key bytes in the partition map, then taken.</summary>
    [Benchmark]
    public bool PartitionLookupAndTake()
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        var bucket = _map.Get("203.0.113.7\0"u8, now);
        bucket.Reset();
        return bucket.TryAcquire(now, out _);
    }

    [Benchmark]
    [BenchmarkCategory(Categories.Reference)]
    public bool SystemTokenBucketAllowed()
    {
        using var lease = _reference.AttemptAcquire();
        return lease.IsAcquired;
    }

    [Benchmark]
    [BenchmarkCategory(Categories.Reference)]
    public bool SystemTokenBucketRejected()
    {
        using var lease = _referenceExhausted.AttemptAcquire();
        return lease.IsAcquired;
    }
}
