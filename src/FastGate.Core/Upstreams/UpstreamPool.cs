using System.Collections.Concurrent;

namespace FastGate.Upstreams;

/// <summary>
/// Keep-alive connections to one destination. At most <see cref="ClusterOptions.MaxConnectionsPerDestination"/>
/// are leased at once; idle ones older than the idle timeout are closed on rent and by a periodic sweep.
/// </summary>
/// <remarks>
/// Disposing closes the idle connections and stops the sweep, but the pool still works: a request that picked
/// the destination just before it was removed may still rent, and its connection is closed when it comes back.
/// </remarks>
public sealed class UpstreamPool : IDisposable
{
    private readonly DestinationState _destination;
    private readonly ClusterOptions _options;
    private readonly ConcurrentQueue<UpstreamConnection> _idle = new();
    private readonly SemaphoreSlim _leases;
    private readonly Timer _sweeper;
    private int _open;
    private int _disposed;

    /// <param name="options">Only the settings in <see cref="DestinationKey"/> are read: connections, idle and connect timeouts.</param>
    public UpstreamPool(DestinationState destination, ClusterOptions options)
    {
        _destination = destination;
        _options = options;
        _leases = new SemaphoreSlim(options.MaxConnectionsPerDestination, options.MaxConnectionsPerDestination);
        var period = TimeSpan.FromMilliseconds(Math.Clamp(options.IdleTimeout.TotalMilliseconds / 2, 250, 30_000));
        _sweeper = new Timer(static s => ((UpstreamPool)s!).Sweep(), this, period, period);
    }

    /// <summary>Connections currently open (leased or idle).</summary>
    public int OpenConnections => Volatile.Read(ref _open);

    public int IdleConnections => _idle.Count;

    /// <summary>Connections rented and not yet given back (including rents still connecting).</summary>
    public int LeasedConnections => _options.MaxConnectionsPerDestination - _leases.CurrentCount;

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>
    /// Leases a connection: an idle healthy one if any, else a new one.
    /// Throws <see cref="UpstreamConnectException"/> when none can be had.
    /// </summary>
    public async ValueTask<UpstreamConnection> RentAsync(bool allowReuse = true)
    {
        if (!_leases.Wait(0) && !await _leases.WaitAsync(_options.ConnectTimeout).ConfigureAwait(false))
            throw new UpstreamConnectException(_destination, "connection limit reached", timedOut: true);

        if (allowReuse)
        {
            var now = Environment.TickCount64;
            while (_idle.TryDequeue(out var idle))
            {
                if (now - idle.LastUsedTicks < (long)_options.IdleTimeout.TotalMilliseconds && idle.IsHealthyIdle())
                {
                    idle.IsReused = true;
                    return idle;
                }
                Close(idle);
            }
        }

        try
        {
            var connection = await UpstreamConnection.ConnectAsync(_destination, _options.ConnectTimeout).ConfigureAwait(false);
            Interlocked.Increment(ref _open);
            return connection;
        }
        catch (Exception ex)
        {
            _leases.Release();
            throw new UpstreamConnectException(_destination, ex.Message, ex is OperationCanceledException, ex);
        }
    }

    /// <summary>Gives back a connection whose last exchange ended cleanly, for reuse.</summary>
    public void Return(UpstreamConnection connection)
    {
        connection.LastUsedTicks = Environment.TickCount64;
        _idle.Enqueue(connection);
        _leases.Release();
        // Both calls above are full fences, so either this read sees the flag or Dispose sees the connection.
        if (IsDisposed) CloseIdle();
    }

    /// <summary>Closes a leased connection that must not be reused (half-used, broken, or told to close).</summary>
    public void Discard(UpstreamConnection connection)
    {
        Close(connection);
        _leases.Release();
    }

    private void Close(UpstreamConnection connection)
    {
        connection.Dispose();
        Interlocked.Decrement(ref _open);
    }

    private void Sweep()
    {
        var count = _idle.Count;
        var now = Environment.TickCount64;
        for (var i = 0; i < count && _idle.TryDequeue(out var c); i++)
        {
            if (now - c.LastUsedTicks < (long)_options.IdleTimeout.TotalMilliseconds && c.IsHealthyIdle())
                _idle.Enqueue(c);
            else
                Close(c);
        }
        // A Dispose that ran while a connection was out for its check missed it: close it here.
        if (IsDisposed) CloseIdle();
    }

    private void CloseIdle()
    {
        while (_idle.TryDequeue(out var c)) Close(c);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _sweeper.Dispose();
        CloseIdle();
    }
}
