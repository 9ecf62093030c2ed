using FastGate.Configuration;
using FastGate.Proxy;
using FastGate.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FastGate.Host;

/// <summary>
/// Starts Kestrel (Sockets transport) with one listener per configured address, each handing its connections to
/// <see cref="GatewayConnectionHandler"/>. SIGTERM/Ctrl-C stop accepting and give in-flight requests the drain timeout.
/// </summary>
internal static class GatewayHost
{
    public static async Task<int> RunAsync(GatewaySnapshot snapshot, string configPath)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(new SnapshotHolder(snapshot));
        builder.Services.AddSingleton<GatewayStats>();
        builder.Services.AddSingleton<GatewayConnectionHandler>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = snapshot.DrainTimeout);
        // The proxy loop never blocks, so socket continuations may run it inline instead of hopping to the thread pool.
        builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = true);
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            foreach (var endpoint in snapshot.Listeners)
                kestrel.Listen(endpoint, listen => listen.UseConnectionHandler<GatewayConnectionHandler>());
        });

        await using var app = builder.Build();
        var stats = app.Services.GetRequiredService<GatewayStats>();
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"fastgate: cannot listen: {ex.Message}");
            return 1;
        }

        Console.WriteLine($"FastGate {Cli.Version} (config {Path.GetFullPath(configPath)}, pid {Environment.ProcessId})");
        Console.WriteLine(SnapshotSummary.Describe(snapshot));
        Console.WriteLine("Ready. Ctrl-C or SIGTERM drains and stops.");

        using var reporter = snapshot.StatsInterval > TimeSpan.Zero ? new StatsReporter(stats, snapshot.StatsInterval, Console.Out) : null;
        await app.WaitForShutdownAsync().ConfigureAwait(false);
        Console.WriteLine($"FastGate stopped after {stats.Requests} request(s).");
        return 0;
    }
}
