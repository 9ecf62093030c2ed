using FastGate.Threading;

namespace FastGate.Upstreams;

/// <summary>
/// Keep-alive connections to one destination. At most <see cref="ClusterOptions.MaxConnectionsPerDestination"/>
/// are leased at once and <see cref="ClusterOptions.MaxIdleConnectionsPerDestination"/> kept idle (one returned to a
/// full idle set is closed); idle ones older than the idle timeout are closed on rent and by a periodic sweep.
/// </summary>
/// <remarks>
/// Idle connections are rented most recently used first (LIFO): under light load the same few stay busy and the
/// rest age past the idle timeout and are swept, where a FIFO would keep every one of them just warm enough.
/// <para>
/// Disposing closes the idle connections and stops the sweep, but the pool still works: a request that picked
/// the destination just before it was removed may still rent, and its connection is closed when it comes back.
/// </para>
/// </remarks>
public sealed class UpstreamPool : IDisposable
{
    private readonly DestinationState _destination;
    private readonly ClusterOptions _options;
    private readonly BoundedStack<UpstreamConnection> _idle;
    /// <summary>The sweep's own list of the idle connections it took out to check.</summary>
    private readonly UpstreamConnection?[] _swept;
    /// <summary>One lease per open (or opening) connection, up to the destination's limit.</summary>
    private readonly LeaseGate _leases;
    private readonly Timer _sweeper;
    private int _open;
    private int _sweeping;
    private int _disposed;
    private int _pooling = 1;

    /// <param name="options">Only the settings in <see cref="DestinationKey"/> are read: connection limits, idle and connect timeouts.</param>
    public UpstreamPool(DestinationState destination, ClusterOptions options)
    {
        _destination = destination;
        _options = options;
        _leases = new LeaseGate(options.MaxConnectionsPerDestination);
        var idle = Math.Min(options.MaxIdleConnectionsPerDestination, options.MaxConnectionsPerDestination);
        _idle = new BoundedStack<UpstreamConnection>(Math.Min(idle, BoundedStack<UpstreamConnection>.MaxCapacity));
        _swept = new UpstreamConnection?[_idle.Capacity];
        var period = TimeSpan.FromMilliseconds(Math.Clamp(options.IdleTimeout.TotalMilliseconds / 2, 250, 30_000));
        _sweeper = new Timer(static s => ((UpstreamPool)s!).Sweep(), this, period, period);
    }

    /// <summary>Connections currently open (leased or idle).</summary>
    public int OpenConnections => Volatile.Read(ref _open);

    public int IdleConnections => _idle.Count;

    /// <summary>Connections rented and not yet given back (including rents still connecting).</summary>
    public int LeasedConnections => _leases.Held;

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>False while the destination drains: idle connections are closed, and so is each one given back.</summary>
    public bool IsPooling => Volatile.Read(ref _pooling) != 0;

    /// <summary>
    /// Leases a connection: an idle healthy one if any, else a new one.
    /// Throws <see cref="UpstreamConnectException"/> when none can be had.
    /// </summary>
    public async ValueTask<UpstreamConnection> RentAsync(bool allowReuse = true, TimeSpan? connectTimeout = null)
    {
        var timeout = connectTimeout ?? _options.ConnectTimeout;
        if (!_leases.TryTake() && !await _leases.WaitAsync(timeout).ConfigureAwait(false))
            throw new UpstreamConnectException(_destination, "connection limit reached", timedOut: true);

        if (allowReuse)
        {
            var now = Environment.TickCount64;
            while (_idle.TryPop(out var idle))
            {
                if (IsReusable(idle, now))
                {
                    idle.IsReused = true;
                    return idle;
                }
                Close(idle);
            }
        }

        try
        {
            var connection = await UpstreamConnection.ConnectAsync(_destination, timeout).ConfigureAwait(false);
            Interlocked.Increment(ref _open);
            return connection;
        }
        catch (Exception ex)
        {
            ReleaseLease();
            throw new UpstreamConnectException(_destination, ex.Message, ex is OperationCanceledException, ex);
        }
    }

    /// <summary>Gives back a connection whose last exchange ended cleanly, for reuse.</summary>
    public void Return(UpstreamConnection connection)
    {
        if (!IsPooling)
        {
            Discard(connection);
            return;
        }
        connection.LastUsedTicks = Environment.TickCount64;
        if (!_idle.TryPush(connection)) Close(connection); // the idle set is full
        ReleaseLease();
        // Both calls above are full fences, so either these reads see the flags or Dispose and StopPooling see the connection.
        if (IsDisposed || !IsPooling) CloseIdle();
    }

    /// <summary>Closes the idle connections, and from now on each connection given back: the destination drains.</summary>
    public void StopPooling()
    {
        Interlocked.Exchange(ref _pooling, 0);
        CloseIdle();
    }

    /// <summary>Keeps connections given back again.</summary>
    public void ResumePooling() => Interlocked.Exchange(ref _pooling, 1);

    /// <summary>Closes a leased connection that must not be reused (half-used, broken, or told to close).</summary>
    public void Discard(UpstreamConnection connection)
    {
        Close(connection);
        ReleaseLease();
    }

    private void ReleaseLease() => _leases.Release();

    private void Close(UpstreamConnection connection)
    {
        connection.Dispose();
        Interlocked.Decrement(ref _open);
    }

    private bool IsReusable(UpstreamConnection connection, long now) =>
        now - connection.LastUsedTicks < (long)_options.IdleTimeout.TotalMilliseconds && connection.IsHealthyIdle();

    /// <summary>
    /// Takes every idle connection out, closes the stale and unhealthy ones (in a LIFO the oldest are at the
    /// bottom, out of reach otherwise), and pushes the rest back oldest first, so their order is kept. Renters never
    /// wait for it; one that comes meanwhile may find fewer idle connections and connect anew.
    /// </summary>
    private void Sweep()
    {
        if (Interlocked.Exchange(ref _sweeping, 1) != 0) return;
        var now = Environment.TickCount64;
        var kept = 0;
        while (kept < _swept.Length && _idle.TryPop(out var c))
        {
            if (IsReusable(c, now)) _swept[kept++] = c;
            else Close(c);
        }
        for (var i = kept - 1; i >= 0; i--)
        {
            // Returns that came meanwhile may have filled the idle set.
            if (!_idle.TryPush(_swept[i]!)) Close(_swept[i]!);
            _swept[i] = null;
        }
        Volatile.Write(ref _sweeping, 0);
        // A Dispose or StopPooling that ran while connections were out for their check missed them: close them here.
        if (IsDisposed || !IsPooling) CloseIdle();
    }

    private void CloseIdle()
    {
        while (_idle.TryPop(out var c)) Close(c);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _sweeper.Dispose();
        CloseIdle();
    }
}
