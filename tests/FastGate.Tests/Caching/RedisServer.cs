using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using FastGate.Tests.Process;

namespace FastGate.Tests.Caching;

/// <summary>
/// A redis-server of the test's own on a free port, with no persistence (<c>--save "" --appendonly no</c>); killed on
/// dispose. <see cref="Kill"/> and <see cref="Restart"/> take it down and bring it back on the same port.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private readonly string[] _extra;
    private readonly string _directory;
    private System.Diagnostics.Process? _process;

    private RedisServer(int port, string[] extra)
    {
        Port = port;
        _extra = extra;
        _directory = Directory.CreateTempSubdirectory("fastgate-redis-").FullName;
    }

    public int Port { get; }
    public string EndPoint => $"127.0.0.1:{Port}";

    /// <summary>A node for a Redis Cluster: cluster mode on, its bus on a second free port.</summary>
    public static Task<RedisServer> StartClusterNodeAsync() =>
        StartAsync(() => ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-port", GatewayProcess.FreePort().ToString()]);

    /// <summary>Three cluster nodes (no replicas) made into one Redis Cluster covering every slot, once it reports ok on each.</summary>
    public static async Task<List<RedisServer>> StartClusterAsync(List<RedisServer> nodes)
    {
        for (var i = 0; i < 3; i++) nodes.Add(await StartClusterNodeAsync());
        var create = await nodes[0].CommandAsync(["--cluster", "create", .. nodes.Select(n => n.EndPoint), "--cluster-replicas", "0", "--cluster-yes"]);
        Assert.Contains("All 16384 slots covered", create);
        await L2Fixture.Until(() => nodes.All(n => n.CommandAsync("CLUSTER", "INFO").Result.Contains("cluster_state:ok")), "the cluster is ok on every node");
        return nodes;
    }

    public static Task<RedisServer> StartAsync(params string[] extra) => StartAsync(() => extra);

    private static async Task<RedisServer> StartAsync(Func<string[]> extra)
    {
        for (var attempt = 0; ; attempt++)
        {
            var server = new RedisServer(GatewayProcess.FreePort(), extra());
            try
            {
                await server.RestartAsync();
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // The free port was taken between picking and binding: another one.
                server.Dispose();
            }
        }
    }

    /// <summary>Starts it (again) on its port and waits until it answers PING.</summary>
    public async Task RestartAsync()
    {
        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _directory,
        };
        foreach (var arg in (string[])["--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", .. _extra]) start.ArgumentList.Add(arg);
        _process = System.Diagnostics.Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await PingAsync())
        {
            if (_process.HasExited || DateTime.UtcNow > deadline) throw new InvalidOperationException($"redis-server on port {Port} did not start");
            await Task.Delay(20);
        }
    }

    /// <summary>Kills it (SIGKILL): connections drop at once, the data is gone.</summary>
    public void Kill()
    {
        if (_process is null || _process.HasExited) return;
        _process.Kill();
        _process.WaitForExit();
    }

    public async Task<string> CommandAsync(params string[] args)
    {
        var start = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["-p", Port.ToString(), .. args]) start.ArgumentList.Add(arg);
        using var cli = System.Diagnostics.Process.Start(start)!;
        var output = await cli.StandardOutput.ReadToEndAsync();
        await cli.WaitForExitAsync();
        return output.Trim();
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Port));
            await socket.SendAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await socket.ReceiveAsync(buffer).WaitAsync(TimeSpan.FromSeconds(2));
            return read >= 5 && buffer.AsSpan(0, 5).SequenceEqual("+PONG"u8);
        }
        catch (Exception ex) when (ex is SocketException or TimeoutException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        Kill();
        _process?.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
