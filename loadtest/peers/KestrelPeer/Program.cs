// The bare Kestrel handler: Kestrel's HTTP/1.1 server and one request delegate (no routing, no middleware) that
// answers every request with the sample upstream's response: 200, Content-Type: text/plain, Content-Length: 13,
// X-Upstream: <listen port>, "Hello, World!" (no body for HEAD). Kestrel adds Date; the Server header is off.
//   kestrel-peer --listen 127.0.0.1:8080
using System.Buffers;
using System.Net;
using System.Text;
using Microsoft.Extensions.Primitives;

// Like FastGate and the sample upstream: socket completions run on the event-loop thread. Read once when the
// runtime's socket engine starts, so it must come before the first socket.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");

string listen = "127.0.0.1:8080";
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--listen" when i + 1 < args.Length:
            listen = args[++i];
            break;
        default:
            Console.Error.WriteLine($"kestrel-peer: unknown argument {args[i]}");
            return 2;
    }
}
if (!IPEndPoint.TryParse(listen, out IPEndPoint? endpoint))
{
    Console.Error.WriteLine($"kestrel-peer: bad --listen {listen}");
    return 2;
}

byte[] body = Encoding.ASCII.GetBytes("Hello, World!");
var contentType = new StringValues("text/plain");
var upstream = new StringValues(endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));

var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = [] });
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
// The delegate never blocks, so running it on the socket's I/O thread saves a thread-pool hop per read.
builder.WebHost.UseKestrelCore().UseSockets(o => o.UnsafePreferInlineScheduling = true);
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Listen(endpoint);
});

var app = builder.Build();
app.Run(context =>
{
    HttpResponse response = context.Response;
    response.StatusCode = 200;
    response.Headers.ContentType = contentType;
    response.Headers["X-Upstream"] = upstream;
    response.ContentLength = body.Length;
    if (!HttpMethods.IsHead(context.Request.Method))
    {
        response.BodyWriter.Write(body);
    }
    return Task.CompletedTask;
});
await app.StartAsync();
Console.WriteLine($"kestrel-peer listening on {endpoint}");
await app.WaitForShutdownAsync();
return 0;
