// Minimal YARP reverse proxy: one catch-all route to one cluster of upstreams, round robin.
//   yarp-peer --listen 127.0.0.1:8080 --upstream 127.0.0.1:9001 --upstream 127.0.0.1:9002
using System.Net;
using Yarp.ReverseProxy.Configuration;

string listen = "127.0.0.1:8080";
var upstreams = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--listen" when i + 1 < args.Length:
            listen = args[++i];
            break;
        case "--upstream" when i + 1 < args.Length:
            upstreams.AddRange(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries));
            break;
        default:
            Console.Error.WriteLine($"yarp-peer: unknown argument {args[i]}");
            return 2;
    }
}
if (upstreams.Count == 0)
{
    upstreams.AddRange(["127.0.0.1:9001", "127.0.0.1:9002"]);
}
if (!IPEndPoint.TryParse(listen, out IPEndPoint? endpoint))
{
    Console.Error.WriteLine($"yarp-peer: bad --listen {listen}");
    return 2;
}

var routes = new[]
{
    new RouteConfig { RouteId = "all", ClusterId = "backend", Match = new RouteMatch { Path = "/{**rest}" } },
};
var destinations = new Dictionary<string, DestinationConfig>();
for (int i = 0; i < upstreams.Count; i++)
{
    destinations[$"d{i}"] = new DestinationConfig { Address = $"http://{upstreams[i]}/" };
}
var clusters = new[]
{
    new ClusterConfig
    {
        ClusterId = "backend",
        LoadBalancingPolicy = "RoundRobin",
        Destinations = destinations,
    },
};

var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
builder.Logging.ClearProviders();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Logging.AddConsole();
// No keys are ever used; its "no XML encryptor" start-up warning is noise here.
builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Listen(endpoint);
});
builder.Services.AddReverseProxy().LoadFromMemory(routes, clusters);

var app = builder.Build();
app.MapReverseProxy();
await app.StartAsync();
Console.WriteLine($"yarp-peer listening on {endpoint} -> {string.Join(", ", upstreams)}");
await app.WaitForShutdownAsync();
return 0;
