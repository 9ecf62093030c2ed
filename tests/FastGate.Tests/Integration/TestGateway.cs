using System.Net;
using FastGate.Balancing;
using FastGate.Configuration;
using FastGate.Http;
using FastGate.Proxy;
using FastGate.Routing;
using FastGate.Transport;
using FastGate.Upstreams;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace FastGate.Tests.Integration;

/// <summary>The real connection handler on a real Kestrel socket, routing every path to the given upstreams.</summary>
internal sealed class TestGateway : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly UpstreamRuntime _runtime;

    private TestGateway(WebApplication app, UpstreamRuntime runtime, GatewaySnapshot snapshot, int port)
    {
        _app = app;
        _runtime = runtime;
        Snapshot = snapshot;
        EndPoint = new IPEndPoint(IPAddress.Loopback, port);
    }

    public IPEndPoint EndPoint { get; }
    public GatewaySnapshot Snapshot { get; }
    public DestinationState[] Destinations => Snapshot.Clusters["backend"].DestinationStates;

    public static async Task<TestGateway> StartAsync(IPEndPoint[] upstreams, HttpLimits? limits = null,
        ClusterOptions? options = null, Func<Cluster, IEnumerable<Route>>? routes = null, IReadOnlyList<IPNetwork>? trusted = null,
        TelemetryOptions? telemetry = null, TracingOptions? tracing = null, Func<Cluster, Cluster>? cluster = null, TimeProvider? time = null,
        params FastGate.Telemetry.IExchangeObserver[] observers)
    {
        options ??= new ClusterOptions { ResponseTimeout = TimeSpan.FromSeconds(5), ConnectTimeout = TimeSpan.FromSeconds(2) };
        var destinations = upstreams.Select(u => new Destination(u.ToString(), u)).ToArray();
        var configured = new Cluster("backend", destinations, RoundRobinBalancer.ConfigName, options);
        configured = cluster?.Invoke(configured) ?? configured;
        var snapshot = SnapshotOf(configured, routes?.Invoke(configured).ToList(), limits, trusted, telemetry, tracing);
        return await StartAsync(snapshot, new UpstreamRuntime { Time = time ?? TimeProvider.System }, observers);
    }

    /// <summary>A gateway routing every path to <paramref name="cluster"/>, bound to a runtime the test made (disposed with the gateway).</summary>
    public static Task<TestGateway> StartAsync(Cluster cluster, UpstreamRuntime runtime) => StartAsync(SnapshotOf(cluster), runtime, []);

    private static GatewaySnapshot SnapshotOf(Cluster cluster, List<Route>? routes = null, HttpLimits? limits = null,
        IReadOnlyList<IPNetwork>? trusted = null, TelemetryOptions? telemetry = null, TracingOptions? tracing = null) => new()
    {
        Listeners = [new IPEndPoint(IPAddress.Loopback, 0)],
        Limits = limits ?? HttpLimits.Default,
        Routes = new RouteTable(routes ?? [new Route { Name = "all", Path = "/{**rest}", Cluster = cluster }]),
        Clusters = new Dictionary<string, Cluster> { [cluster.Name] = cluster },
        TrustedProxies = trusted ?? [],
        Telemetry = telemetry ?? TelemetryOptions.Default,
        Tracing = tracing ?? TracingOptions.Default,
    };

    private static async Task<TestGateway> StartAsync(GatewaySnapshot snapshot, UpstreamRuntime runtime, FastGate.Telemetry.IExchangeObserver[] observers)
    {
        runtime.Bind(snapshot.Clusters.Values);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton(new SnapshotHolder(snapshot));
        builder.Services.AddSingleton<FastGate.Telemetry.GatewayStats>();
        builder.Services.AddSingleton(new FastGate.Telemetry.ExchangeObservers(observers));
        builder.Services.AddSingleton<GatewayConnectionHandler>();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
            k.Listen(IPAddress.Loopback, 0, l => l.UseConnectionHandler<GatewayConnectionHandler>()));
        if (Transport == TransportKind.Epoll) builder.Services.AddSingleton<IConnectionListenerFactory, EpollTransportFactory>();
        if (Transport == TransportKind.IoUring) builder.Services.AddSingleton<IConnectionListenerFactory, FastGate.Transport.IoUring.IoUringTransportFactory>();
        var app = builder.Build();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestGateway(app, runtime, snapshot, new Uri(address).Port);
    }

    /// <summary>
    /// The transport under test, for both the listener and upstream connections: the platform default (epoll on
    /// Linux) unless FASTGATE_SERVER__TRANSPORT is sockets or io_uring, so the whole suite can run on any.
    /// </summary>
    public static TransportKind Transport { get; } = InitTransport();

    private static TransportKind InitTransport()
    {
        var kind = Environment.GetEnvironmentVariable("FASTGATE_SERVER__TRANSPORT") switch
        {
            "sockets" => TransportKind.Sockets,
            "io_uring" => TransportKind.IoUring,
            _ => TransportSelection.PlatformDefault,
        };
        TransportSelection.Current = kind;
        return kind;
    }

    public RawClient Connect() => RawClient.Connect(EndPoint);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _runtime.Dispose();
    }
}
