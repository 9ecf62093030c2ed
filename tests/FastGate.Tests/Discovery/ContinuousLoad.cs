using System.Collections.Concurrent;
using System.Net;
using FastGate.Tests.Integration;

namespace FastGate.Tests.Discovery;

/// <summary>Clients sending requests back to back on keep-alive connections until stopped, every answer kept (status, body).</summary>
internal sealed class ContinuousLoad
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _clients;

    public ContinuousLoad(IPEndPoint gateway, int clients) =>
        _clients = [.. Enumerable.Range(0, clients).Select(_ => Task.Run(() => RunAsync(gateway)))];

    public ConcurrentQueue<(int Status, string Body)> Answers { get; } = new();

    private async Task RunAsync(IPEndPoint gateway)
    {
        using var client = RawClient.Connect(gateway);
        while (!_stop.IsCancellationRequested)
        {
            client.Send("GET /load HTTP/1.1\r\nHost: api.test\r\n\r\n");
            var response = await client.ReadResponseAsync();
            Answers.Enqueue((response.Status, response.Body));
        }
    }

    /// <summary>Stops after each client's current request and returns every answer.</summary>
    public async Task<(int Status, string Body)[]> StopAsync()
    {
        _stop.Cancel();
        await Task.WhenAll(_clients);
        return [.. Answers];
    }
}
