using System.Collections.Concurrent;

namespace FastGate.Upstreams;

/// <summary>
/// Keep-alive connections to one destination. At most <see cref="ClusterOptions.MaxConnectionsPerDestination"/>
/// are leased at once; idle ones older than the idle timeout are closed on rent and by a periodic sweep.
/// </summary>
public sealed class UpstreamPool : IDisposable
{
    private readonly Destination _destination;
    private readonly ClusterOptions _options;
    private readonly ConcurrentQueue<UpstreamConnection> _idle = new();
    private readonly SemaphoreSlim _leases;
    private readonly Timer _sweeper;
    private int _open;

    public UpstreamPool(Destination destination, ClusterOptions options)
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
    }

    public void Dispose()
    {
        _sweeper.Dispose();
        while (_idle.TryDequeue(out var c)) Close(c);
    }
}

/// <summary>No connection to the destination could be made (refused, unreachable, timed out, or pool full).</summary>
public sealed class UpstreamConnectException(Destination destination, string message, bool timedOut, Exception? inner = null)
    : Exception($"cannot connect to {destination.Address}: {message}", inner)
{
    public Destination Destination { get; } = destination;
    public bool TimedOut { get; } = timedOut;
}
