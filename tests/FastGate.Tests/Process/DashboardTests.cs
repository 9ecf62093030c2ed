using System.Net;
using System.Net.Http;
using System.Text.RegularExpressions;
using FastGate.Tests.Integration;
using Xunit.Abstractions;
using static FastGate.Tests.Process.DashboardDom;

namespace FastGate.Tests.Process;

/// <summary>The admin listener's live dashboard at <c>/</c>, rendered by a real headless Chromium against the shipped binary.</summary>
public class DashboardTests(ITestOutputHelper output)
{
    private const string Token = "dash-Token_7";
    private const int ApiRequests = 23, WebRequests = 17;
    private const int ScreenshotWidth = 1280, ScreenshotHeight = 900;

    [Fact]
    public async Task The_dashboard_files_need_no_token_and_carry_their_content_types()
    {
        await using var upstream = ScriptedUpstream.EchoTarget();
        using var gateway = await StartAsync(upstream);
        var admin = await gateway.AdminAsync();
        using var http = new HttpClient { BaseAddress = admin };
        // The start-up lines say where the dashboard is and how to pass the token, without printing it.
        await gateway.WaitForLineAsync(l => l == $"Dashboard: {admin}#token=<admin.token> (or enter the token on the page)", TimeSpan.FromSeconds(5));
        Assert.DoesNotContain(gateway.Lines, l => l.Contains(Token, StringComparison.Ordinal));
        foreach (var (path, type, marker) in new[]
        {
            ("/", "text/html", "<title>FastGate dashboard</title>"),
            ("/dashboard.js", "text/javascript", "/admin/stats"),
            ("/dashboard.css", "text/css", "--panel"),
        })
        {
            var response = await http.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Contains(marker, await response.Content.ReadAsStringAsync());
        }
        var page = await http.GetStringAsync("/");
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", page); // nothing fetched from elsewhere: it works offline
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/admin/stats")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/index.html")).StatusCode);
    }

    [Fact]
    public async Task Headless_chromium_shows_the_routes_their_counts_and_the_latency_plot()
    {
        HeadlessChromium.Find();
        await using var upstream = ScriptedUpstream.EchoTarget();
        using var gateway = await StartAsync(upstream);
        var admin = await gateway.AdminAsync();
        await AdminApi.SendAsync(gateway.Port, "/api/item/", ApiRequests);
        await AdminApi.SendAsync(gateway.Port, "/page/", WebRequests);
        using (var api = new AdminApi(admin, Token))
        {
            // Every exchange counted, and a rate reading taken since, so the sparkline has a point.
            var stats = await api.WaitForStatsAsync(s => AdminApi.Route(s, "api").GetProperty("requests").GetInt64() == ApiRequests
                && AdminApi.Route(s, "web").GetProperty("requests").GetInt64() == WebRequests
                && s.GetProperty("requests_per_second_history").GetArrayLength() > 0, "both routes' requests counted");
            // The plot's points: the HDR percentile iteration from 0 % to 100 % (the max), on routes only.
            var total = AdminApi.Route(stats, "api").GetProperty("latency").GetProperty("total");
            var plotted = total.GetProperty("spectrum").EnumerateArray().ToArray();
            Assert.Equal(0, plotted[0].GetProperty("percentile").GetDouble());
            Assert.Equal(100, plotted[^1].GetProperty("percentile").GetDouble());
            Assert.Equal(total.GetProperty("max_us").GetInt64(), plotted[^1].GetProperty("value_us").GetInt64());
            Assert.False(stats.GetProperty("destinations")[0].GetProperty("latency").GetProperty("total").TryGetProperty("spectrum", out _));
        }

        var screenshot = Path.Combine(AppContext.BaseDirectory, "screenshots", "dashboard.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        File.Delete(screenshot);
        var url = $"{admin}#token={Token}";
        // One run dumps the page and shoots it (a few refreshes in), the other tries a wrong token.
        var runs = await Task.WhenAll(
            HeadlessChromium.RunAsync(url, 4000, "--dump-dom", $"--screenshot={screenshot}", $"--window-size={ScreenshotWidth},{ScreenshotHeight}"),
            HeadlessChromium.RunAsync($"{admin}#token=wrong-{Token}", 2000, "--dump-dom"));
        var dom = runs[0];

        var (kind, text) = Status(dom);
        Assert.True(kind == "ok" && text.StartsWith("Live", StringComparison.Ordinal), $"status line \"{text}\" ({kind})\n{dom}");
        Assert.Equal(ApiRequests, RouteRequests(dom, "api"));
        Assert.Equal(WebRequests, RouteRequests(dom, "web"));
        Assert.Equal(0, RouteRequests(dom, "(unmatched)"));
        Assert.Equal((ApiRequests + WebRequests).ToString(), Element(dom, "p", "requests"));
        Assert.Contains($"data-destination=\"{upstream.EndPoint}\"", dom);
        var spectrum = Polyline(dom, "spectrum-line");
        Assert.Equal("total", Attribute(spectrum, "data-phase"));
        var points = Attribute(spectrum, "points").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(points.Length >= 5, $"the percentile line has {points.Length} points: {spectrum}");
        Assert.Equal(points.Length.ToString(), Attribute(spectrum, "data-points"));
        Assert.All(points, p => Assert.Matches(@"^\d+(\.\d+)?,\d+(\.\d+)?$", p));
        Assert.NotEmpty(Attribute(Polyline(dom, "spark-line"), "points"));
        // No route has a cache table or a rate limit: the panels say so.
        Assert.Equal("off: no route has a cache table", Element(dom, "span", "cache-state"));
        Assert.Contains("<div id=\"cache-body\" hidden=\"\">", dom);
        Assert.Contains(">No route has a rate limit.</td>", dom);

        var (wrongKind, wrongText) = Status(runs[1]);
        Assert.True(wrongKind == "error" && wrongText.Contains("401", StringComparison.Ordinal), $"status line with a wrong token: \"{wrongText}\" ({wrongKind})");
        Assert.Matches("<form id=\"token-form\">", runs[1]); // the token field is shown, no longer hidden

        var image = PngImage.Decode(await File.ReadAllBytesAsync(screenshot));
        output.WriteLine($"screenshot: {screenshot}");
        Assert.Equal((ScreenshotWidth, ScreenshotHeight), (image.Width, image.Height));
        Assert.True(image.DistinctColors() > 50, $"the screenshot has only {image.DistinctColors()} colours");
        Assert.True(image.ShareNotBackground() > 0.05, $"the screenshot is {1 - image.ShareNotBackground():P1} background");
    }

    private static Task<GatewayProcess> StartAsync(ScriptedUpstream upstream) => GatewayProcess.StartAsync($$"""
        [clusters.backend]
        destinations = ["{{upstream.EndPoint}}"]
        [routes.api]
        path = "/api/{**rest}"
        cluster = "backend"
        [routes.web]
        path = "/{**rest}"
        cluster = "backend"
        [admin]
        listen = "127.0.0.1:0"
        token = "{{Token}}"
        """);

    private static long RouteRequests(string dom, string route) => Count(Element(Row(dom, "data-route", route), "td", null, "requests"));

    private static string Polyline(string dom, string className)
    {
        var match = Regex.Match(dom, $"<polyline class=\"{className}\"[^>]*>");
        Assert.True(match.Success, $"no {className} drawn in the page:\n{dom}");
        return match.Value;
    }
}
