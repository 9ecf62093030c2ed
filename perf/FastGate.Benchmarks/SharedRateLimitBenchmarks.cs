using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using FastGate.Caching;
using FastGate.Configuration;
using FastGate.Http;
using FastGate.Policies;
using FastGate.Policies.RateLimiting;
using FastGate.Proxy;
using FastGate.Routing;

namespace FastGate.Benchmarks;

/// <summary>
/// One rate-limit decision per operation, phase 3 and phase 6 (the RateLimit fields of the allowed response): a
/// local token bucket with and without the fields, against the same limit with <c>shared = true</c>, i.e. one
/// EVALSHA of the GCRA script round trip to a real redis-server on loopback (started by the setup on a free port).
/// The shared one allocates by design (the Redis key, the command, its task and result): category "known-allocation".
/// </summary>
[MemoryDiagnoser]
public class SharedRateLimitBenchmarks
{
    private readonly ExchangeContext _context = new();
    private Process? _redis;
    private CacheRuntime _cache = null!;
    private Route _local = null!, _localNoHeaders = null!, _shared = null!;
    private RateLimitBucket _localBucket = null!, _localNoHeadersBucket = null!;

    [GlobalSetup]
    public void Setup()
    {
        var port = FreePort();
        _redis = Process.Start(new ProcessStartInfo("redis-server", ["--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        {
            RedirectStandardOutput = true,
        })!;
        var loaded = ConfigLoader.LoadText($$"""
            [cache]
            redis = "127.0.0.1:{{port}}"
            namespace = "bench"
            redis_timeout = "1s"
            [clusters.backend]
            destinations = ["127.0.0.1:8080"]
            [policies.local]
            type = "rate_limit"
            rate = 1000000
            [policies.local_no_headers]
            type = "rate_limit"
            rate = 1000000
            headers = false
            [policies.shared]
            type = "rate_limit"
            rate = 1000000
            shared = true
            [routes.local]
            path = "/local"
            cluster = "backend"
            policies = ["local"]
            [routes.local_no_headers]
            path = "/plain"
            cluster = "backend"
            policies = ["local_no_headers"]
            [routes.shared]
            path = "/shared"
            cluster = "backend"
            policies = ["shared"]
            """, "bench.toml");
        if (loaded.Snapshot is not { } snapshot) throw new InvalidOperationException(loaded.ErrorText);
        _cache = new CacheRuntime(snapshot.Cache);
        SharedLimits.Bind(null, snapshot, _cache);
        _local = snapshot.Routes.Routes.Single(r => r.Name == "local");
        _localNoHeaders = snapshot.Routes.Routes.Single(r => r.Name == "local_no_headers");
        _shared = snapshot.Routes.Routes.Single(r => r.Name == "shared");
        var client = new ClientInfo(new IPEndPoint(IPAddress.Parse("203.0.113.7"), 51234), isHttps: false, trustedProxies: []);
        _context.Bind(null!, null!, null!, null!, client, []);
        var status = new Http1RequestParser().TryParse(new ReadOnlySequence<byte>(Samples.BrowserGet), _context.Request, HttpLimits.Default, out _, out _);
        if (status != ParseStatus.Complete) throw new InvalidOperationException("sample request did not parse");
        var deadline = Stopwatch.StartNew();
        while (_cache.L2?.Connected != true)
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(20)) throw new InvalidOperationException("redis-server did not come up");
            Thread.Sleep(20);
        }
        // A million per second is the highest rate; local takes run faster, so each starts from a full bucket (one write).
        var now = Stopwatch.GetTimestamp();
        _localBucket = ((RateLimitDefinition)snapshot.Policies["local"]).Buckets.Get("203.0.113.7\0"u8, now);
        _localNoHeadersBucket = ((RateLimitDefinition)snapshot.Policies["local_no_headers"]).Buckets.Get("203.0.113.7\0"u8, now);
        var shared = (RateLimitDefinition)snapshot.Policies["shared"];
        for (var i = 0; i < 100; i++) Run(_shared).GetAwaiter().GetResult();
        if (shared.Shared!.Fallbacks.ReadAll() != 0) throw new InvalidOperationException("the shared limit fell back: Redis did not decide");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _cache.L2?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _redis?.Kill();
        _redis?.WaitForExit();
    }

    private async ValueTask<int> Run(Route route)
    {
        _context.Route = route;
        _context.Local.Reset();
        _context.ResponseEdits.Reset(null);
        var policies = route.Policies.Request;
        for (var i = 0; i < policies.Length; i++)
        {
            if (await policies[i].OnRequestAsync(_context).ConfigureAwait(false) == PolicyDecision.Respond) throw new InvalidOperationException("rejected");
        }
        var response = route.Policies.Response;
        for (var i = 0; i < response.Length; i++) response[i].OnResponse(_context);
        return _context.ResponseEdits.Added.Bytes.Length;
    }

    [Benchmark(Baseline = true)]
    public int LocalNoHeaders()
    {
        _localNoHeadersBucket.Reset();
        return Run(_localNoHeaders).GetAwaiter().GetResult();
    }

    [Benchmark]
    public int LocalWithHeaders()
    {
        _localBucket.Reset();
        return Run(_local).GetAwaiter().GetResult();
    }

    [Benchmark]
    [BenchmarkCategory(Categories.KnownAllocation)]
    public async Task<int> SharedWithHeaders() => await Run(_shared).ConfigureAwait(false);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
