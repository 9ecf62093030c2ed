using FastGate.Tests.Integration;

namespace FastGate.Tests.Resilience;

/// <summary>An upstream on a real socket that answers with <see cref="Status"/> (its body: the status), holding each answer between <see cref="Hold"/> and <see cref="Release"/>.</summary>
internal sealed class SwitchableUpstream : IAsyncDisposable
{
    private readonly ScriptedUpstream _upstream;
    private volatile TaskCompletionSource _gate = Opened();

    public SwitchableUpstream()
    {
        _upstream = new ScriptedUpstream(async s =>
        {
            while (await s.ReadRequestAsync() is not null)
            {
                await _gate.Task;
                var status = Status;
                s.Send($"HTTP/1.1 {status} X\r\nContent-Length: 3\r\n\r\n{status}");
            }
        });
    }

    public volatile int Status = 200;
    public System.Net.IPEndPoint EndPoint => _upstream.EndPoint;
    public int Requests => _upstream.Requests.Count;

    public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _gate.TrySetResult();

    private static TaskCompletionSource Opened()
    {
        var gate = new TaskCompletionSource();
        gate.SetResult();
        return gate;
    }

    public ValueTask DisposeAsync() => _upstream.DisposeAsync();
}
