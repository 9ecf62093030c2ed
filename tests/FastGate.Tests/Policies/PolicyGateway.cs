using System.Net;
using FastGate.Configuration;
using FastGate.Routing;
using FastGate.Tests.Integration;

namespace FastGate.Tests.Policies;

/// <summary>
/// A <see cref="TestGateway"/> whose routes and policies come from config text (so what is tested is what the
/// loader compiles), in front of one upstream as cluster "backend".
/// </summary>
internal static class PolicyGateway
{
    /// <param name="config">[policies.*] and [routes.*] tables; routes name cluster "backend".</param>
    public static Task<TestGateway> StartAsync(ScriptedUpstream upstream, string config, IReadOnlyList<IPNetwork>? trusted = null) =>
        StartAsync(Load(upstream.EndPoint, config), trusted);

    /// <summary>A gateway with the routes of a snapshot from <see cref="Load"/> (bound to a runtime by the caller, if it needs one).</summary>
    public static Task<TestGateway> StartAsync(GatewaySnapshot snapshot, IReadOnlyList<IPNetwork>? trusted = null)
    {
        return TestGateway.StartAsync([.. snapshot.Clusters["backend"].Destinations.Select(d => (IPEndPoint)d.EndPoint)], trusted: trusted, routes: c => snapshot.Routes.Routes.Select(r => new Route
        {
            Name = r.Name, Path = r.Path, Host = r.Host, Methods = r.Methods, Cluster = c,
            StripPrefix = r.StripPrefix, AddPrefix = r.AddPrefix, Policies = r.Policies,
        }));
    }

    public static GatewaySnapshot Load(IPEndPoint upstream, string config)
    {
        var result = ConfigLoader.LoadText($"[clusters.backend]\ndestinations = [\"{upstream}\"]\n{config}".ReplaceLineEndings("\n"), "config.toml");
        Assert.True(result.Success, result.ErrorText);
        return result.Snapshot!;
    }

    /// <summary>An upstream that answers every request 200 with a small body, and logs what it got.</summary>
    public static ScriptedUpstream Upstream(string extraHeaders = "") => new(async s =>
    {
        while (await s.ReadRequestAsync() is not null) s.Send($"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n{extraHeaders}\r\nok");
    });
}
