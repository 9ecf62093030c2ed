using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;

namespace FastGate.Transport;

/// <summary>
/// What the epoll and io_uring connections share: identity, endpoints, items, the inline feature collection, and the
/// <see cref="ConnectionClosed"/> token that reads as cancelled once the input has ended.
/// </summary>
internal abstract partial class NativeConnection : ConnectionContext
{
    private static long s_lastId;

    private CancellationTokenSource? _closedSource;
    private CancellationToken? _closedOverride;
    private bool _receiveEnded;
    private int _disposeStarted;
    private Task? _disposing;
    /// <summary>Set by dispose: the loop thread closes the socket, where nothing of it can be in progress, then completes it.</summary>
    private TaskCompletionSource? _closing;
    private IDictionary<object, object?>? _items;
    private string? _id;

    protected NativeConnection(EndPoint? local, EndPoint? remote)
    {
        LocalEndPoint = local;
        RemoteEndPoint = remote;
    }

    /// <summary>
    /// A monitor on an object the connection has anyway (a Lock would be 40 B more for every connection); the writer
    /// takes it too, so the socket's shutdown and close never race a send.
    /// </summary>
    protected abstract object Gate { get; }

    public override string ConnectionId
    {
        get => _id ??= Interlocked.Increment(ref s_lastId).ToString("X");
        set => _id = value;
    }

    public override IDictionary<object, object?> Items
    {
        get => _items ??= new Dictionary<object, object?>();
        set => _items = value;
    }

    public override IDuplexPipe Transport { get; set; } = null!;

    public override EndPoint? LocalEndPoint { get; set; }

    public override EndPoint? RemoteEndPoint { get; set; }

    /// <summary>Cancelled once the input has ended (peer FIN, error or abort), as in Kestrel.</summary>
    public override CancellationToken ConnectionClosed
    {
        get
        {
            if (_closedOverride is { } token) return token;
            lock (Gate)
            {
                return _receiveEnded ? new CancellationToken(true) : (_closedSource ??= new CancellationTokenSource()).Token;
            }
        }
        set => _closedOverride = value;
    }

    /// <summary>Dispose has asked the loop thread to close the socket.</summary>
    protected bool CloseRequested => Volatile.Read(ref _closing) is not null;

    public override ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposeStarted, 1) == 0) _disposing = DisposeCoreAsync();
        return _disposing is { } disposing ? new ValueTask(disposing) : default;
    }

    private async Task DisposeCoreAsync()
    {
        // The application is done with its ends; whatever it left in the output still goes out.
        await CompleteAndSendAsync().ConfigureAwait(false);
        var closing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _closing, closing);
        StopAndClose();
        await closing.Task.ConfigureAwait(false);
        OnReceiveEnded();
    }

    /// <summary>Completes the input and output the application had, and waits until what was written is sent.</summary>
    protected abstract Task CompleteAndSendAsync();

    /// <summary>Stops reading, shuts the socket down and has the loop thread close it, then call <see cref="OnClosed"/>.</summary>
    protected abstract void StopAndClose();

    /// <summary>The loop thread closed the socket: the dispose is done.</summary>
    protected void OnClosed() => _closing?.TrySetResult();

    /// <summary>
    /// Makes the close a reset (SO_LINGER 0): what the kernel still holds to send is dropped instead of being
    /// offered, at the pace of a zero window, to a peer that stopped reading.
    /// </summary>
    internal abstract void ResetOnClose();

    /// <summary>
    /// The input has ended (FIN, error, abort or dispose): from now on <see cref="ConnectionClosed"/> reads as
    /// cancelled, and a source already handed out is cancelled off the loop thread.
    /// </summary>
    internal void OnReceiveEnded()
    {
        CancellationTokenSource? closed;
        lock (Gate)
        {
            if (_receiveEnded) return;
            _receiveEnded = true;
            closed = _closedSource;
        }
        if (closed is not null) ThreadPool.UnsafeQueueUserWorkItem(static s => s.Cancel(), closed, preferLocal: false);
    }
}
