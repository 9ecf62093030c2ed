using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using FastGate.Tests.Integration;

namespace FastGate.Tests.Process;

/// <summary>The admin listener of a <see cref="GatewayProcess"/> as a test reads it: <c>/admin/stats</c>, with the token when there is one.</summary>
internal sealed class AdminApi : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly HttpClient _http;

    public AdminApi(Uri address, string token = "")
    {
        _http = new HttpClient { BaseAddress = address };
        if (token.Length > 0) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public HttpClient Http => _http;

    public async Task<JsonElement> StatsAsync()
    {
        using var stats = JsonDocument.Parse(await _http.GetStringAsync("/admin/stats"));
        return stats.RootElement.Clone();
    }

    /// <summary>Polls <c>/admin/stats</c> until <paramref name="done"/> holds; fails naming <paramref name="what"/> and the last answer after the timeout.</summary>
    public async Task<JsonElement> WaitForStatsAsync(Func<JsonElement, bool> done, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Timeout);
        while (true)
        {
            var stats = await StatsAsync();
            if (done(stats)) return stats;
            if (DateTime.UtcNow > deadline) Assert.Fail($"/admin/stats never showed {what}; last:\n{stats}");
            await Task.Delay(50);
        }
    }

    public static JsonElement Route(JsonElement stats, string name) =>
        stats.GetProperty("routes").EnumerateArray().First(r => r.GetProperty("name").GetString() == name);

    /// <summary>A rate of the <c>requests_per_second</c> object of <paramref name="element"/> (the gateway, a route or a destination).</summary>
    public static double Rate(JsonElement element, string window) => element.GetProperty("requests_per_second").GetProperty(window).GetDouble();

    /// <summary>Sends <paramref name="count"/> GETs of <paramref name="path"/> over one keep-alive connection, each answered 200.</summary>
    public static async Task SendAsync(int port, string path, int count)
    {
        using var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, port));
        for (var i = 0; i < count; i++)
        {
            client.Send($"GET {path}{i} HTTP/1.1\r\nHost: test\r\n\r\n");
            Assert.Equal(200, (await client.ReadResponseAsync(timeout: Timeout)).Status);
        }
    }

    public void Dispose() => _http.Dispose();
}
