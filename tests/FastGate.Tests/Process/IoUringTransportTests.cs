using System.Net;
using FastGate.Tests.Integration;

namespace FastGate.Tests.Process;

/// <summary>
/// <c>server.transport = "io_uring"</c> in the shipped binary: it runs on io_uring where the kernel allows it, and
/// where the kernel refuses (here a seccomp filter, as container runtimes install) it says so and serves on epoll.
/// </summary>
public class IoUringTransportTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Io_uring_serves_and_says_so()
    {
        await using var upstream = Upstream();
        using var gateway = await GatewayProcess.StartInFrontOfAsync(upstream.EndPoint, "transport = \"io_uring\"");
        await gateway.WaitForLineAsync(l => l.Contains("(io_uring transport)", StringComparison.Ordinal), Timeout);
        Assert.DoesNotContain(gateway.Lines, l => l.Contains("using epoll", StringComparison.Ordinal));
        await AssertProxiesAsync(gateway);
    }

    [Fact]
    public async Task Where_the_kernel_refuses_io_uring_the_gateway_says_why_and_serves_on_epoll()
    {
        await using var upstream = Upstream();
        var launcher = Path.Combine(TestPaths.RepoRoot(), "tests", "FastGate.Tests", "Process", "without-io-uring.py");
        using var gateway = await GatewayProcess.StartAsync($$"""
            transport = "io_uring"
            [clusters.backend]
            destinations = ["{{upstream.EndPoint}}"]
            [routes.all]
            path = "/{**rest}"
            cluster = "backend"
            """, "python3", launcher, "env", "FASTGATE_SERVER__TRANSPORT=io_uring");
        var line = await gateway.WaitForLineAsync(l => l.Contains("using epoll", StringComparison.Ordinal), Timeout);
        Assert.Contains("server.transport = \"io_uring\": io_uring is unavailable", line);
        Assert.Contains("(errno 38)", line);
        await gateway.WaitForLineAsync(l => l.Contains("(epoll transport)", StringComparison.Ordinal), Timeout);
        await AssertProxiesAsync(gateway);
    }

    private static ScriptedUpstream Upstream() => ScriptedUpstream.EchoTarget();

    private static async Task AssertProxiesAsync(GatewayProcess gateway)
    {
        using var client = RawClient.Connect(new IPEndPoint(IPAddress.Loopback, gateway.Port));
        for (var i = 0; i < 3; i++)
        {
            client.Send($"GET /hello/{i} HTTP/1.1\r\nHost: test\r\n\r\n");
            var response = await client.ReadResponseAsync(timeout: Timeout);
            Assert.Equal(200, response.Status);
            Assert.Equal($"/hello/{i}", response.Body);
        }
    }
}
