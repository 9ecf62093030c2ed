using System.Net;
using FastGate.Tests.Integration;

namespace FastGate.Tests.Process;

/// <summary>Sticky sessions (sticky = { ... }) in the native binary, over real sockets.</summary>
public class StickySessionTests
{
    private static string Config(ScriptedUpstream[] upstreams, string sticky) => $$"""
        [clusters.backend]
        destinations = [{{string.Join(", ", upstreams.Select(u => $"\"{u.EndPoint}\""))}}]
        sticky = {{sticky}}
        [routes.all]
        path = "/{**rest}"
        cluster = "backend"
        """;

    private static async Task<HttpResponse> GetAsync(GatewayProcess gateway, string headers = "")
    {
        using var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, gateway.Port));
        client.Send($"GET / HTTP/1.1\r\nHost: a\r\n{headers}\r\n");
        return await client.ReadResponseAsync();
    }

    /// <summary>"fg_route=VALUE" from a Set-Cookie header.</summary>
    private static string CookieOf(HttpResponse response)
    {
        var setCookie = response.Header("Set-Cookie");
        Assert.NotNull(setCookie);
        Assert.Contains("; Path=/; HttpOnly; SameSite=Lax", setCookie);
        return setCookie.Split(';')[0];
    }

    [Fact]
    public async Task A_cookie_keeps_each_client_on_its_destination_and_a_forged_one_is_replaced()
    {
        await using var a = ScriptedUpstream.Ok("a");
        await using var b = ScriptedUpstream.Ok("b");
        using var gateway = await GatewayProcess.StartAsync(Config([a, b], "{ mode = \"cookie\" }"));

        var first = await GetAsync(gateway);
        var second = await GetAsync(gateway);
        Assert.NotEqual(first.Body, second.Body); // round robin for newcomers
        var (cookieA, cookieB) = first.Body == "a" ? (CookieOf(first), CookieOf(second)) : (CookieOf(second), CookieOf(first));
        Assert.StartsWith("fg_route=", cookieA);
        Assert.NotEqual(cookieA, cookieB);
        for (var i = 0; i < 6; i++)
        {
            var again = await GetAsync(gateway, $"Cookie: theme=dark; {cookieA}; other=1\r\n");
            Assert.Equal("a", again.Body);
            Assert.Null(again.Header("Set-Cookie")); // already tied: nothing to set
            Assert.Equal("b", (await GetAsync(gateway, $"Cookie: {cookieB}\r\n")).Body);
        }

        // A client cannot pick a destination: a tampered value is not recognised and gets a real one.
        var tampered = cookieA[..^2] + (cookieA[^2] == 'A' ? "B" : "A") + cookieA[^1];
        var retied = await GetAsync(gateway, $"Cookie: {tampered}\r\n");
        Assert.Contains(CookieOf(retied), new[] { cookieA, cookieB });
    }

    [Theory]
    [InlineData("redistribute", 200)]
    [InlineData("error", 503)]
    public async Task A_client_whose_destination_was_removed_is_redistributed_or_refused(string onFailure, int status)
    {
        await using var a = ScriptedUpstream.Ok("a");
        await using var b = ScriptedUpstream.Ok("b");
        var sticky = $"{{ mode = \"cookie\", on_failure = \"{onFailure}\", secret = \"0123456789abcdef-secret\" }}";
        using var gateway = await GatewayProcess.StartAsync(Config([a, b], sticky));
        var first = await GetAsync(gateway);
        var second = await GetAsync(gateway);
        var cookieA = CookieOf(first.Body == "a" ? first : second);

        var mark = gateway.LineCount;
        await gateway.WriteConfigAsync(Config([b], sticky), byRename: true);
        gateway.Reload();
        await gateway.WaitForLineAsync(l => GatewayProcess.Message(l).StartsWith("config reloaded", StringComparison.Ordinal), TimeSpan.FromSeconds(10), mark);

        var moved = await GetAsync(gateway, $"Cookie: {cookieA}\r\n");
        Assert.Equal(status, moved.Status);
        if (status == 200)
        {
            Assert.Equal("b", moved.Body);
            Assert.NotEqual(cookieA, CookieOf(moved));
        }
    }

    [Fact]
    public async Task A_header_ties_each_value_to_one_destination()
    {
        var upstreams = new[] { ScriptedUpstream.Ok("a"), ScriptedUpstream.Ok("b"), ScriptedUpstream.Ok("c") };
        try
        {
            using var gateway = await GatewayProcess.StartAsync(Config(upstreams, "{ mode = \"header\", header = \"X-Session\" }"));
            var seen = new Dictionary<string, string>();
            for (var round = 0; round < 3; round++)
            {
                for (var session = 0; session < 30; session++)
                {
                    var response = await GetAsync(gateway, $"X-Session: user-{session}\r\n");
                    Assert.Null(response.Header("Set-Cookie"));
                    if (round == 0) seen[$"user-{session}"] = response.Body;
                    else Assert.Equal(seen[$"user-{session}"], response.Body);
                }
            }
            Assert.Equal(3, seen.Values.Distinct().Count()); // the sessions spread over all three
        }
        finally
        {
            foreach (var upstream in upstreams) await upstream.DisposeAsync();
        }
    }
}
