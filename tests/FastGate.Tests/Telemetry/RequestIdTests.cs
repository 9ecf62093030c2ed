using System.Text;
using System.Text.RegularExpressions;
using FastGate.Configuration;
using FastGate.Telemetry;
using FastGate.Tests.Integration;

namespace FastGate.Tests.Telemetry;

/// <summary>X-Request-ID: kept when the client's is valid, generated otherwise, forwarded once, returned to the client.</summary>
public partial class RequestIdTests
{
    [GeneratedRegex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")]
    private static partial Regex Uuid();

    private static async Task<(HttpResponse Response, UpstreamRequest Upstream)> SendAsync(string extraHeaders,
        TelemetryOptions? telemetry = null, ScriptedUpstream? upstream = null)
    {
        await using var echo = upstream ?? ScriptedUpstream.Ok();
        await using var gateway = await TestGateway.StartAsync([echo.EndPoint], telemetry: telemetry);
        using var client = gateway.Connect();
        client.Send($"GET /x HTTP/1.1\r\nHost: a\r\n{extraHeaders}\r\n");
        var response = await client.ReadResponseAsync();
        Assert.True(echo.Requests.TryDequeue(out var seen));
        return (response, seen!);
    }

    private static int Count(string head, string name) =>
        head.Split("\r\n").Count(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase));

    [Fact]
    public async Task Without_one_a_uuid_is_generated_forwarded_and_returned()
    {
        var (response, upstream) = await SendAsync("");
        var id = upstream.Header("X-Request-ID");
        Assert.NotNull(id);
        Assert.Matches(Uuid(), id);
        Assert.Equal(id, response.Header("X-Request-ID"));
    }

    [Theory]
    [InlineData("abc-123")]
    [InlineData("dGVzdA==/2026-12-03T10:00:00Z")]
    [InlineData("!#$%&'*+-.^_`|~")]
    public async Task A_valid_client_id_round_trips(string id)
    {
        var (response, upstream) = await SendAsync($"x-request-id: {id}\r\n");
        Assert.Equal(id, upstream.Header("X-Request-ID"));
        Assert.Equal(1, Count(upstream.Head, "X-Request-ID"));
        Assert.Equal(id, response.Header("X-Request-ID"));
    }

    [Fact]
    public async Task An_id_of_the_maximum_length_is_kept_and_a_longer_one_replaced()
    {
        var longest = new string('a', RequestId.MaxLength);
        Assert.Equal(longest, (await SendAsync($"X-Request-ID: {longest}\r\n")).Upstream.Header("X-Request-ID"));

        var forged = new string('a', RequestId.MaxLength + 1);
        var (response, upstream) = await SendAsync($"X-Request-ID: {forged}\r\n");
        Assert.Matches(Uuid(), upstream.Header("X-Request-ID")!);
        Assert.Equal(1, Count(upstream.Head, "X-Request-ID"));
        Assert.Equal(upstream.Header("X-Request-ID"), response.Header("X-Request-ID"));
        Assert.DoesNotContain(forged, response.Head);
    }

    [Theory]
    [InlineData("a b")]
    [InlineData("a,b")]
    [InlineData("\"quoted\"")]
    [InlineData("caf\u00e9")]
    [InlineData("a;drop")]
    [InlineData("a\\b")]
    public async Task An_id_with_characters_outside_a_token_is_replaced(string id)
    {
        var (response, upstream) = await SendAsync($"X-Request-ID: {id}\r\n");
        Assert.Matches(Uuid(), upstream.Header("X-Request-ID")!);
        Assert.Equal(1, Count(upstream.Head, "X-Request-ID"));
        Assert.Equal(upstream.Header("X-Request-ID"), response.Header("X-Request-ID"));
    }

    [Fact]
    public async Task Two_client_ids_are_both_replaced_by_one()
    {
        var (_, upstream) = await SendAsync("X-Request-ID: one\r\nX-Request-ID: two\r\n");
        Assert.Equal(1, Count(upstream.Head, "X-Request-ID"));
        Assert.Matches(Uuid(), upstream.Header("X-Request-ID")!);
    }

    [Fact]
    public async Task The_upstreams_own_id_does_not_reach_the_client()
    {
        var upstream = new ScriptedUpstream(async s =>
        {
            await s.ReadRequestAsync();
            s.Send("HTTP/1.1 200 OK\r\nX-Request-ID: from-upstream\r\nContent-Length: 2\r\n\r\nok");
        });
        var (response, _) = await SendAsync("X-Request-ID: from-client\r\n", upstream: upstream);
        Assert.Equal("from-client", response.Header("X-Request-ID"));
        Assert.Equal(1, Count(response.Head, "X-Request-ID"));
    }

    [Fact]
    public async Task Local_answers_carry_a_request_id_too()
    {
        await using var upstream = ScriptedUpstream.Ok();
        await using var gateway = await TestGateway.StartAsync([upstream.EndPoint],
            routes: c => [new FastGate.Routing.Route { Name = "api", Path = "/api/{**rest}", Cluster = c }]);
        using (var client = gateway.Connect())
        {
            client.Send("GET /elsewhere HTTP/1.1\r\nHost: a\r\nX-Request-ID: lost-1\r\n\r\n");
            var notFound = await client.ReadResponseAsync();
            Assert.Equal((404, "lost-1"), (notFound.Status, notFound.Header("X-Request-ID")));
        }
        using (var client = gateway.Connect())
        {
            client.Send("GET /api/x HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n");
            var bad = await client.ReadResponseAsync();
            Assert.Equal(400, bad.Status);
            Assert.Matches(Uuid(), bad.Header("X-Request-ID")!);
        }
    }

    [Fact]
    public async Task A_renamed_header_carries_the_id_and_X_Request_ID_passes_untouched()
    {
        var (response, upstream) = await SendAsync("X-Request-ID: a b\r\nX-Correlation-ID: c-1\r\n", new TelemetryOptions("X-Correlation-ID"));
        Assert.Equal(("c-1", "a b"), (upstream.Header("X-Correlation-ID"), upstream.Header("X-Request-ID")));
        Assert.Equal("c-1", response.Header("X-Correlation-ID"));
        Assert.Null(response.Header("X-Request-ID"));
    }

    [Fact]
    public async Task Turned_off_nothing_is_added_and_the_clients_field_is_forwarded_as_sent()
    {
        var (response, upstream) = await SendAsync("X-Request-ID: a b\r\n", new TelemetryOptions(""));
        Assert.Equal("a b", upstream.Header("X-Request-ID"));
        Assert.Null(response.Header("X-Request-ID"));
        var (_, bare) = await SendAsync("", new TelemetryOptions(""));
        Assert.Null(bare.Header("X-Request-ID"));
    }

    [Fact]
    public void Generated_ids_are_version_4_uuids_and_distinct()
    {
        var seen = new HashSet<string>();
        Span<byte> buffer = stackalloc byte[RequestId.MaxLength];
        for (var i = 0; i < 10_000; i++)
        {
            var length = RequestId.Generate(buffer);
            Assert.Equal(RequestId.GeneratedLength, length);
            var id = Encoding.ASCII.GetString(buffer[..length]);
            Assert.Matches(Uuid(), id);
            Assert.True(seen.Add(id));
        }
    }

    [Fact]
    public void Every_random_digit_of_generated_ids_takes_every_hex_value()
    {
        // 122 random bits: each digit but the version '4' and the variant (8, 9, a or b) shows all 16 values.
        var seen = new HashSet<char>[RequestId.GeneratedLength];
        for (var i = 0; i < seen.Length; i++) seen[i] = [];
        Span<byte> buffer = stackalloc byte[RequestId.MaxLength];
        for (var i = 0; i < 4_000; i++)
        {
            RequestId.Generate(buffer);
            for (var at = 0; at < seen.Length; at++) seen[at].Add((char)buffer[at]);
        }
        for (var at = 0; at < seen.Length; at++)
        {
            var expected = at switch { 8 or 13 or 18 or 23 => 1, 14 => 1, 19 => 4, _ => 16 };
            Assert.True(seen[at].Count == expected, $"position {at}: {seen[at].Count} distinct characters, {expected} expected");
        }
    }
}
