using System.Net;
using FastGate.SampleUpstream;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// sample-upstream [--host 127.0.0.1] --port 9001 [--port 9002 | --port 9001,9002]

// Like FastGate: socket completions run the handler on the event-loop thread (it never blocks). Read once when the
// runtime's socket engine starts, so it must come before the first socket.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
var host = IPAddress.Loopback;
var ports = new List<int>();
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--host" when i + 1 < args.Length:
            if (!IPAddress.TryParse(args[++i], out var parsedHost))
            {
                return Fail($"--host: not an IP address: {args[i]}");
            }
            host = parsedHost;
            break;
        case "--port" when i + 1 < args.Length:
            // Also take following bare numbers, so "--port 9001 9002" works too.
            do
            {
                foreach (var part in args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (!int.TryParse(part, out int port) || port is < 1 or > 65535)
                    {
                        return Fail($"--port: not a port number: {part}");
                    }
                    ports.Add(port);
                }
            }
            while (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal));
            break;
        case "-h" or "--help":
            Console.WriteLine("usage: sample-upstream [--host 127.0.0.1] --port 9001 [--port 9002 | --port 9001,9002]");
            return 0;
        default:
            return Fail($"unknown or incomplete argument: {args[i]}");
    }
}
if (ports.Count == 0)
{
    ports.Add(9001);
}

var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
builder.Logging.ClearProviders();
builder.Services.AddSingleton(new ResponseTable(ports));
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
// The handler never blocks, so running it on the socket's I/O thread saves a thread-pool hop per read.
builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = true);
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    foreach (int port in ports.Distinct())
    {
        kestrel.Listen(host, port, listen => listen.UseConnectionHandler<HelloConnectionHandler>());
    }
});

var app = builder.Build();
try
{
    await app.StartAsync();
}
catch (IOException e)
{
    return Fail(e.Message);
}
Console.WriteLine($"sample-upstream listening on {string.Join(", ", ports.Distinct().Select(p => $"{host}:{p}"))}");
await app.WaitForShutdownAsync();
return 0;

static int Fail(string message)
{
    Console.Error.WriteLine($"sample-upstream: {message}");
    return 2;
}
