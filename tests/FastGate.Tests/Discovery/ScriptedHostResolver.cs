using System.Net;
using System.Net.Sockets;
using FastGate.Discovery;

namespace FastGate.Tests.Discovery;

/// <summary>An in-test resolver: every name answers what the test last scripted (addresses, or a failure); calls are counted, and can be held.</summary>
internal sealed class ScriptedHostResolver : IHostResolver
{
    private volatile Func<IPAddress[]> _answer = () => [];
    private volatile TaskCompletionSource? _hold;
    private int _calls;

    public ScriptedHostResolver(params IPAddress[] addresses) => Answer(addresses);

    public int Calls => Volatile.Read(ref _calls);

    public void Answer(params IPAddress[] addresses) => _answer = () => addresses;

    public void Fail() => _answer = () => throw new SocketException((int)SocketError.HostNotFound);

    /// <summary>Lookups from now on wait until <see cref="Release"/>; <see cref="Held"/> completes when one is waiting.</summary>
    public void Hold()
    {
        _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public TaskCompletionSource Held { get; private set; } = new();

    public void Release() => Interlocked.Exchange(ref _hold, null)?.TrySetResult();

    public async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        if (_hold is { } hold)
        {
            Held.TrySetResult();
            await hold.Task.WaitAsync(cancellationToken);
        }
        return _answer();
    }
}
