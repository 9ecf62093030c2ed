using System.Runtime.InteropServices;
using FastGate.Configuration;
using FastGate.Host.Admin;
using FastGate.Host.Tracing;
using FastGate.Telemetry.Tracing;
using FastGate.Proxy;
using FastGate.Telemetry;
using FastGate.Telemetry.Logging;
using FastGate.Transport;
using FastGate.Upstreams;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FastGate.Host;

/// <summary>
/// Starts Kestrel (epoll or Sockets transport, <c>[server] transport</c>) with one listener per configured address, each handing its connections to
/// <see cref="GatewayConnectionHandler"/>. SIGTERM/Ctrl-C stop accepting and give in-flight requests the drain timeout;
/// SIGHUP (and, with <c>server.watch_config</c>, a change to the file) reloads the config (<see cref="ReloadService"/>).
/// </summary>
/// <remarks>
/// Kestrel is created directly rather than through the generic host: the gateway needs no configuration system,
/// hosted services or HTTP pipeline, and leaving them out keeps the process smaller.
/// </remarks>
internal static class GatewayHost
{
    private const int SigUsr1 = 10;

    public static async Task<int> RunAsync(GatewaySnapshot snapshot, string configPath)
    {
        // No scopes: Kestrel opens one per connection, and an idle connection would hold it (~150 B) for nothing.
        using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning)
            .Services.Configure<LoggerFilterOptions>(o => o.CaptureScopes = false));
        // First in, last out: every message until the process ends goes through the error log, and is written out.
        using var logs = new GatewayLogs(snapshot);
        var stats = new GatewayStats { Logs = logs };
        using var runtime = new UpstreamRuntime();
        var reloader = new ConfigReloader(configPath, snapshot, runtime, ConfigLoader.ReadProcessEnvironment,
            new ReloadLogWriter(errors: false), new ReloadLogWriter(errors: true));
        reloader.Applied += logs.Apply;
        var metrics = new GatewayMetrics(reloader, stats, Cli.Version);
        using var traces = new TraceExport();
        traces.Apply(snapshot);
        reloader.Applied += traces.Apply;
        await using var services = new ServiceCollection()
            .AddSingleton(reloader.Snapshots)
            .AddSingleton(stats)
            .AddSingleton(new ExchangeObservers(new MetricsObserver(reloader.RouteStats), new TracingObserver(), logs.ErrorObserver, logs.AccessObserver))
            .AddSingleton<GatewayConnectionHandler>()
            .BuildServiceProvider();

        var options = new KestrelServerOptions { AddServerHeader = false, ApplicationServices = services };
        foreach (var endpoint in snapshot.Listeners)
            options.Listen(endpoint, listen => listen.UseConnectionHandler<GatewayConnectionHandler>());
        var kind = TransportSelection.Resolve(snapshot.Transport, out var fallbackReason);
        if (fallbackReason is not null) Log.Warn($"server.transport = \"io_uring\": {fallbackReason}; using epoll");
        TransportSelection.Current = kind;
        // The proxy loop never blocks, so socket continuations may run it inline instead of hopping to the thread pool.
        IConnectionListenerFactory transport = kind switch
        {
            TransportKind.Epoll => new EpollTransportFactory(),
            TransportKind.IoUring => new FastGate.Transport.IoUring.IoUringTransportFactory(),
            _ => new SocketTransportFactory(Options.Create(new SocketTransportOptions { UnsafePreferInlineScheduling = true }), loggerFactory),
        };
        using var server = new KestrelServer(Options.Create(options), transport, loggerFactory);

        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        // logrotate's postrotate: the files are reopened by name, so lines go to the new ones (raw signal numbers work on Unix).
        using var onUsr1 = PosixSignalRegistration.Create((PosixSignal)SigUsr1, context =>
        {
            context.Cancel = true; // SIGUSR1 would otherwise end the process
            logs.Reopen();
        });
        using var reporter = new StatsReporter(stats, reloader, snapshot.StatsInterval, Console.Out);
        using var rates = new RateSampler(stats, reloader);
        await using var reloads = new ReloadService(reloader, configPath, reporter);
        try
        {
            await server.StartAsync(new NoHttpApplication(), CancellationToken.None).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            Fatal($"cannot listen: {ex.Message}", snapshot);
            return 1;
        }

        await using var admin = await StartAdminAsync(snapshot, reloader, metrics, stats).ConfigureAwait(false);
        if (admin is null && snapshot.Admin.Listen is not null)
        {
            await server.StopAsync(CancellationToken.None).ConfigureAwait(false);
            return 1;
        }

        Console.WriteLine($"FastGate {Cli.Version} (config {Path.GetFullPath(configPath)}, pid {Environment.ProcessId})");
        Console.WriteLine(SnapshotSummary.Describe(snapshot, kind));
        if (admin is not null) Console.WriteLine($"Admin: http://{admin.Address} (metrics at /metrics, health at /healthz and /readyz)");
        if (admin is not null) Console.WriteLine(DashboardLine(admin, snapshot));
        Console.WriteLine($"Logs: errors {GatewayLogs.Describe(snapshot.ErrorLog)}; access log {GatewayLogs.Describe(snapshot.AccessLog)}");
        if (snapshot.Tracing.Enabled) Console.WriteLine($"Tracing: sampler {SamplerName(snapshot.Tracing.Sampler)}, exporting to {TraceExport.Describe(snapshot.Tracing)}");
        Console.WriteLine("Ready. Ctrl-C or SIGTERM drains and stops; SIGHUP reloads the config.");

        await stopping.Task.ConfigureAwait(false);
        // Stop accepting, let in-flight exchanges finish (idle connections close at once); abort the rest at the deadline.
        using (var drain = new CancellationTokenSource(reloader.Current.DrainTimeout))
            await server.StopAsync(drain.Token).ConfigureAwait(false);
        Console.WriteLine($"FastGate stopped after {stats.Requests} request(s).");
        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true; // we exit on our own once drained
            services.GetRequiredService<GatewayConnectionHandler>().BeginStopping();
            stopping.TrySetResult();
        }
    }

    /// <summary>Starts the admin listener when configured; null when it is off, or cannot bind (after saying why).</summary>
    private static async Task<AdminServer?> StartAdminAsync(GatewaySnapshot snapshot, ConfigReloader reloader, GatewayMetrics metrics, GatewayStats stats)
    {
        if (snapshot.Admin.Listen is not { } listen) return null;
        try
        {
            return await AdminServer.StartAsync(listen, reloader, metrics, stats).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            Fatal($"cannot listen on admin.listen {listen}: {ex.Message} (set [admin] listen, or \"off\")", snapshot);
            return null;
        }
    }

    private static string SamplerName(ISampler sampler) => sampler switch
    {
        AlwaysSampler => AlwaysSampler.ConfigName,
        RatioSampler r => $"{RatioSampler.ConfigName} {r.Ratio}",
        ParentRatioSampler => ParentRatioSampler.ConfigName,
        RateLimitedSampler l => $"{RateLimitedSampler.ConfigName} {l.PerSecond}/s",
        _ => NeverSampler.ConfigName,
    };

    /// <summary>Where the live dashboard is; with a token, how to hand it over (in the URL fragment, which no request carries).</summary>
    private static string DashboardLine(AdminServer admin, GatewaySnapshot snapshot) => snapshot.Admin.Token.Length == 0
        ? $"Dashboard: http://{admin.Address}/"
        : $"Dashboard: http://{admin.Address}/#token=<admin.token> (or enter the token on the page)";

    /// <summary>A reason to stop starting: to the error log, and to stderr as well when the error log is a file.</summary>
    private static void Fatal(string message, GatewaySnapshot snapshot)
    {
        Log.Error(message);
        if (snapshot.ErrorLog.Output != "stderr") Console.Error.WriteLine($"fastgate: {message}");
    }

    /// <summary>Kestrel wants an HTTP application; every listener here hands its connections to our handler instead.</summary>
    private sealed class NoHttpApplication : IHttpApplication<object>
    {
        public object CreateContext(IFeatureCollection contextFeatures) => throw new NotSupportedException();
        public Task ProcessRequestAsync(object context) => throw new NotSupportedException();
        public void DisposeContext(object context, Exception? exception) { }
    }
}
