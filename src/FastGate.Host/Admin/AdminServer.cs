using System.Net;
using FastGate.Configuration;
using FastGate.Host.Admin.Dashboard;
using FastGate.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FastGate.Host.Admin;

/// <summary>
/// The admin listener (<c>[admin] listen</c>): ASP.NET Core minimal APIs on a Kestrel of their own, apart from the
/// proxy's, with source-generated JSON. When <c>admin.token</c> is set, every endpoint but <c>/healthz</c> wants
/// <c>Authorization: Bearer &lt;token&gt;</c> (the dashboard's files at <c>/</c> need none: they hold no data); the token is read from the running config, so a reload changes it.
/// </summary>
internal sealed class AdminServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private AdminServer(WebApplication app) => _app = app;

    /// <summary>The address bound (the real port when the config said 0).</summary>
    public IPEndPoint? Address { get; private set; }

    public static async Task<AdminServer> StartAsync(IPEndPoint listen, ConfigReloader config, GatewayMetrics metrics, GatewayStats stats)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrel(o =>
        {
            o.AddServerHeader = false;
            o.Listen(listen);
        });
        builder.Services.AddSingleton<IHostLifetime, AdminHostLifetime>();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, AdminJsonContext.Default));
        var app = builder.Build();

        app.Use(async (context, next) =>
        {
            if (context.Request.Path != "/healthz" && !DashboardAssets.IsPublic(context.Request.Path) && !AdminToken.Accepts(config.Current.Admin.Token, context.Request.Headers.Authorization))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Bearer realm=\"fastgate-admin\"";
                await context.Response.WriteAsJsonAsync(new AdminError("missing or wrong bearer token"), AdminJsonContext.Default.AdminError);
                return;
            }
            await next(context);
        });
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        DashboardAssets.Map(app);
        app.MapGet("/readyz", () =>
        {
            var report = Readiness.Check(config.Current);
            return Results.Json(report, AdminJsonContext.Default.ReadinessReport, statusCode: report.Ready ? 200 : 503);
        });
        app.MapGet("/metrics", () => Results.Text(metrics.Scrape(), PrometheusTextWriter.ContentType));
        app.MapGet("/admin/stats", () => Results.Json(AdminReports.Stats(config, stats), AdminJsonContext.Default.StatsReport));
        app.MapGet("/admin/upstreams", () => Results.Json(AdminReports.Upstreams(config.Current), AdminJsonContext.Default.DestinationReportArray));
        app.MapGet("/admin/config", () => Results.Json(ConfigReport.Of(config), AdminJsonContext.Default.ConfigReport));
        app.MapPost("/admin/upstreams/{cluster}/{destination}/drain",
            (string cluster, string destination) => UpstreamDrain.Set(config, cluster, destination, draining: true, Console.Out));
        app.MapPost("/admin/upstreams/{cluster}/{destination}/undrain",
            (string cluster, string destination) => UpstreamDrain.Set(config, cluster, destination, draining: false, Console.Out));
        app.MapPost("/admin/cache/purge", (HttpRequest request) => CachePurge.HandleAsync(request, config));
        app.MapPost("/admin/reload", () =>
        {
            var outcome = config.Reload(ReloadReason.Admin);
            return Results.Json(new ReloadReport(outcome == ReloadOutcome.Failed ? "failed" : "ok", config.Current.Version),
                AdminJsonContext.Default.ReloadReport, statusCode: outcome == ReloadOutcome.Failed ? 422 : 200);
        });

        var server = new AdminServer(app);
        await app.StartAsync().ConfigureAwait(false);
        server.Address = BoundAddress(app, listen);
        return server;
    }

    private static IPEndPoint BoundAddress(WebApplication app, IPEndPoint listen)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var url in addresses)
        {
            if (Uri.TryCreate(url, UriKind.Absolute, out var uri)) return new IPEndPoint(listen.Address, uri.Port);
        }
        return listen;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
