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
    private Route _plain = null!, _limited = null!, _exhausted = null!;
    private TokenBucketRateLimiter _reference = null!;
    private TokenBucketRateLimiter _referenceExhausted = null!;
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
            [policies.tag]
            type = "transform"
            request_headers = { set = { "X-Client" = "{client_ip}" }, remove = ["Accept-Language"] }
            [routes.plain]
            path = "/plain/{**rest}"
            cluster = "backend"
            [routes.limited]
            path = "/app/{**rest}"
            cluster = "backend"
            policies = ["per_ip", "tag"]
            [routes.exhausted]
            path = "/exhausted"
            cluster = "backend"
            policies = ["none_left"]
            """, "bench.toml");
        if (loaded.Snapshot is not { } snapshot) throw new InvalidOperationException(loaded.ErrorText);
        _plain = snapshot.Routes.Routes.Single(r => r.Name == "plain");
        _limited = snapshot.Routes.Routes.Single(r => r.Name == "limited");
        _exhausted = snapshot.Routes.Routes.Single(r => r.Name == "exhausted");
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
        Run(_limited);
        Run(_exhausted);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _reference.Dispose();
        _referenceExhausted.Dispose();
    }

    private int Run(Route route)
    {
        _context.Route = route;
        _context.RequestEdits.Reset();
        _context.Local.Reset();
        var policies = route.Policies.Request;
        for (var i = 0; i < policies.Length; i++)
        {
            if (policies[i].OnRequestAsync(_context).Result == PolicyDecision.Respond) return -1;
        }
        _output.ResetWrittenCount();
        RequestHeadWriter.Write(_output, _context.Request, route, route.Cluster.Destinations[0], _context.Client, "X-Request-ID"u8, RequestId,
            edits: _context.RequestEdits);
        return _output.WrittenCount;
    }

    [Benchmark(Baseline = true)]
    public int NoPolicies() => Run(_plain);

    [Benchmark]
    public int RateLimitAndTransform() => Run(_limited);

    [Benchmark]
    public int RateLimitRejected() => Run(_exhausted);

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
