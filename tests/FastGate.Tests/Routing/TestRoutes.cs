using System.Net;
using System.Text;
using FastGate.Balancing;
using FastGate.Http;
using FastGate.Routing;
using FastGate.Upstreams;

namespace FastGate.Tests.Routing;

internal static class TestRoutes
{
    public static readonly Cluster Cluster = new("c", [], RoundRobinBalancer.ConfigName, new ClusterOptions());

    public static Route Route(string name, string path, string? host = null, HttpMethodSet? methods = null,
        string strip = "", string add = "") => new()
    {
        Name = name,
        Path = path,
        Host = host,
        Methods = methods ?? HttpMethodSet.Any,
        Cluster = Cluster,
        StripPrefix = Encoding.ASCII.GetBytes(strip),
        AddPrefix = Encoding.ASCII.GetBytes(add),
    };

    public static string? Match(this RouteTable table, string host, string path, HttpMethod method = HttpMethod.Get) =>
        table.Match(Encoding.UTF8.GetBytes(host), Encoding.UTF8.GetBytes(path), method)?.Name;

    public static Destination Destination(int port) => new($"127.0.0.1:{port}", new IPEndPoint(IPAddress.Loopback, port));
}
