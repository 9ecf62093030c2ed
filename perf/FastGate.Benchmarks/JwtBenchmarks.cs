using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using FastGate.Configuration;
using FastGate.Http;
using FastGate.Policies;
using FastGate.Policies.Jwt;
using FastGate.Proxy;
using FastGate.Routing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace FastGate.Benchmarks;

/// <summary>
/// A JWT policy in phase 3: a request whose token is in the validation cache (hash, slot, whole-token compare,
/// expiry, claims onto the context, one forwarded claim; target &lt; 1 µs and 0 B), and the full check of a token
/// that is not (Microsoft.IdentityModel's parse and signature verification, then the cache entry), for RS256,
/// ES256 and HS256. The uncached checks allocate (strings, claims): a cost paid once per token, not per request.
/// </summary>
[MemoryDiagnoser]
public class JwtBenchmarks
{
    private readonly ExchangeContext _context = new();
    private readonly Http1RequestParser _parser = new();
    private Route _route = null!, _limited = null!;
    private FastGate.Policies.RateLimiting.RateLimitBucket _limitBucket = null!;
    private JwtDefinition _rs = null!, _es = null!, _hs = null!;
    private byte[] _rsToken = null!, _esToken = null!, _hsToken = null!;
    private byte[] _request = null!;
    private string _directory = null!;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("fastgate-jwt-bench").FullName;
        var rsa = RSA.Create(2048);
        var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var secret = Encoding.UTF8.GetBytes("a-benchmark-secret-of-at-least-32-bytes!");
        File.WriteAllText(Path.Combine(_directory, "rs.pem"), rsa.ExportSubjectPublicKeyInfoPem());
        File.WriteAllText(Path.Combine(_directory, "es.pem"), ec.ExportSubjectPublicKeyInfoPem());
        var loaded = ConfigLoader.LoadText($$"""
            [clusters.backend]
            destinations = ["127.0.0.1:8080"]
            [policies.rs]
            type = "jwt"
            issuer = "https://id.example.com/"
            audience = "api"
            algorithms = ["RS256"]
            public_key_file = "{{Path.Combine(_directory, "rs.pem")}}"
            forward_claims = { sub = "X-User-Id" }
            [policies.es]
            type = "jwt"
            issuer = "https://id.example.com/"
            audience = "api"
            algorithms = ["ES256"]
            public_key_file = "{{Path.Combine(_directory, "es.pem")}}"
            [policies.hs]
            type = "jwt"
            issuer = "https://id.example.com/"
            audience = "api"
            algorithms = ["HS256"]
            secret = "{{Encoding.UTF8.GetString(secret)}}"
            [policies.per_user]
            type = "rate_limit"
            key = "claim:sub"
            rate = 1000000
            [routes.api]
            path = "/api/{**rest}"
            cluster = "backend"
            policies = ["rs"]
            [routes.limited]
            path = "/limited/{**rest}"
            cluster = "backend"
            policies = ["rs", "per_user"]
            """, "bench.toml");
        if (loaded.Snapshot is not { } snapshot) throw new InvalidOperationException(loaded.ErrorText);
        _route = snapshot.Routes.Routes.Single(r => r.Name == "api");
        _limited = snapshot.Routes.Routes.Single(r => r.Name == "limited");
        _limitBucket = ((FastGate.Policies.RateLimiting.RateLimitDefinition)snapshot.Policies["per_user"]).Buckets
            .Get("user-1234\0"u8, System.Diagnostics.Stopwatch.GetTimestamp());
        _rs = (JwtDefinition)snapshot.Policies["rs"];
        _es = (JwtDefinition)snapshot.Policies["es"];
        _hs = (JwtDefinition)snapshot.Policies["hs"];
        _rsToken = Token(new RsaSecurityKey(rsa), SecurityAlgorithms.RsaSha256);
        _esToken = Token(new ECDsaSecurityKey(ec), SecurityAlgorithms.EcdsaSha256);
        _hsToken = Token(new SymmetricSecurityKey(secret), SecurityAlgorithms.HmacSha256);
        _request = Encoding.ASCII.GetBytes($"GET /api/orders/42 HTTP/1.1\r\nHost: api.example.com\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n" +
            $"Authorization: Bearer {Encoding.ASCII.GetString(_rsToken)}\r\n\r\n");

        var client = new ClientInfo(new IPEndPoint(IPAddress.Parse("203.0.113.7"), 51234), isHttps: false, trustedProxies: []);
        _context.Bind(null!, null!, null!, null!, client, []);
        var status = _parser.TryParse(new ReadOnlySequence<byte>(_request), _context.Request, HttpLimits.Default, out _, out _);
        if (status != ParseStatus.Complete) throw new InvalidOperationException("sample request did not parse");
        _context.Route = _route;
        if (Cached() != PolicyDecision.Continue || _context.Claims is null) throw new InvalidOperationException("the token was not accepted");
        if (CachedWithClaimRateLimit() != PolicyDecision.Continue) throw new InvalidOperationException("the rate limit refused");
        _context.Route = _route;
        foreach (var (definition, token) in new[] { (_rs, _rsToken), (_es, _esToken), (_hs, _hsToken) })
        {
            if (definition.Validator.ValidateAsync(token, JwtCache.Hash(token)).Result is not { Verdict: JwtVerdict.Allowed })
                throw new InvalidOperationException("a token did not validate");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    private static byte[] Token(SecurityKey key, string alg) => Encoding.ASCII.GetBytes(new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = "https://id.example.com/",
        Audience = "api",
        Expires = DateTime.UtcNow.AddDays(1),
        Claims = new Dictionary<string, object> { ["sub"] = "user-1234", ["scope"] = "read write" },
        SigningCredentials = new SigningCredentials(key, alg),
    }));

    /// <summary>The policy on a request whose RS256 token is cached: what every request after a token's first costs.</summary>
    [Benchmark(Baseline = true)]
    public PolicyDecision Cached()
    {
        _context.RequestEdits.Reset();
        _context.Local.Reset();
        return _route.Policies.Request[0].OnRequestAsync(_context).Result;
    }

    /// <summary>The cached token, then a rate limit keyed by its sub claim: JWT (cached) + one local rate limit.</summary>
    [Benchmark]
    public PolicyDecision CachedWithClaimRateLimit()
    {
        _context.Route = _limited;
        _context.RequestEdits.Reset();
        _context.Local.Reset();
        _limitBucket.Reset(); // the allowed path every time
        var policies = _limited.Policies.Request;
        var decision = PolicyDecision.Continue;
        for (var i = 0; i < policies.Length && decision == PolicyDecision.Continue; i++) decision = policies[i].OnRequestAsync(_context).Result;
        _context.Route = _route;
        return decision;
    }

    [Benchmark]
    [BenchmarkCategory(Categories.KnownAllocation)]
    public bool UncachedRS256() => _rs.Validator.ValidateAsync(_rsToken, 1).Result is not null;

    [Benchmark]
    [BenchmarkCategory(Categories.KnownAllocation)]
    public bool UncachedES256() => _es.Validator.ValidateAsync(_esToken, 2).Result is not null;

    [Benchmark]
    [BenchmarkCategory(Categories.KnownAllocation)]
    public bool UncachedHS256() => _hs.Validator.ValidateAsync(_hsToken, 3).Result is not null;
}
