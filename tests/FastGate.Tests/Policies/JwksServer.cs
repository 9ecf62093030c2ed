using FastGate.Tests.Integration;

namespace FastGate.Tests.Policies;

/// <summary>A JWKS endpoint for tests: serves <see cref="Json"/> (or <see cref="Status"/> when not 200) and counts fetches.</summary>
internal sealed class JwksServer : IAsyncDisposable
{
    private readonly ScriptedUpstream _server;
    private int _fetches;

    public JwksServer(string json)
    {
        Json = json;
        _server = new ScriptedUpstream(async s =>
        {
            while (await s.ReadRequestAsync() is not null)
            {
                Interlocked.Increment(ref _fetches);
                var status = Status;
                var body = status == 200 ? Json : "down";
                s.Send($"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {System.Text.Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}");
            }
        });
    }

    public volatile string Json;
    public volatile int Status = 200;

    public int Fetches => Volatile.Read(ref _fetches);

    public string Url => $"http://{_server.EndPoint}/.well-known/jwks.json";

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
