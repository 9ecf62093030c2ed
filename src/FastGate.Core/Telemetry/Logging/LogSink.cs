using System.Diagnostics;

namespace FastGate.Telemetry.Logging;

/// <summary>
/// One log's way to its output: producers put lines into a <see cref="LogRing"/> (never waiting; a full ring drops
/// and counts), and one background thread of its own moves them to the <see cref="LogOutput"/> in batches of whole
/// lines. The thread wakes every 20 ms, or at once when the ring passes half full, and writes what it holds whenever
/// the ring runs empty and at least every 100 ms under steady load. A sink has its own thread so that an output that
/// blocks (a full disk, a pipe nobody reads) stalls only its own log.
/// </summary>
internal sealed class LogSink : IDisposable
{
    private const int BatchBytes = 64 * 1024;
    private const int IdleWaitMilliseconds = 20;
    private static readonly long FlushInterval = Stopwatch.Frequency / 10;
    private static readonly long RetryInterval = Stopwatch.Frequency;
    /// <summary>After a stop, lines that producers still had in hand are written for this long.</summary>
    private static readonly long StopGrace = Stopwatch.Frequency / 10;

    private readonly LogRing _ring;
    private readonly LogOutput _output;
    private readonly Action<string> _report;
    private readonly Action? _tick;
    private readonly byte[] _batch = new byte[BatchBytes];
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly Thread _thread;
    private int _batchLength;
    private int _batchLines;
    private int _sleeping;
    private long _lost;
    private long _stopAt;
    private bool _failing;
    private volatile bool _reopen;
    private volatile bool _stopping;

    /// <param name="report">Where the sink's own trouble (an output that cannot be opened or written) is told.</param>
    /// <param name="tick">Called by the writer thread on each turn, e.g. to write rate-limit summaries.</param>
    public LogSink(string name, LogOutput output, int capacity, Action<string> report, Action? tick = null)
    {
        _ring = new LogRing(capacity);
        _output = output;
        _report = report;
        _tick = tick;
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.UnsafeStart();
    }

    public LogOutput Output => _output;

    /// <summary>The longest line the sink takes.</summary>
    public int MaxLine => _ring.MaxLine;

    /// <summary>Lines lost: dropped by a full ring, or not written because the output failed.</summary>
    public long Dropped => _ring.Dropped + Interlocked.Read(ref _lost);

    /// <summary>Queues a whole line (ending in '\n'); false when it was dropped. Never blocks.</summary>
    public bool TryWrite(ReadOnlySpan<byte> line)
    {
        if (!_ring.TryWrite(line)) return false;
        if (Volatile.Read(ref _sleeping) != 0 && _ring.Used > _ring.Capacity / 2 && Interlocked.Exchange(ref _sleeping, 0) != 0)
            _wake.Set();
        return true;
    }

    /// <summary>Closes and opens the output file again (SIGUSR1, after logrotate moved it), from the writer thread.</summary>
    public void Reopen()
    {
        _reopen = true;
        _wake.Set();
    }

    private void Run()
    {
        var openedAt = Stopwatch.GetTimestamp();
        if (_output.Open() is { } error) _report($"cannot open {_output.Target}: {error}; its lines are dropped until it can be");
        var flushedAt = Stopwatch.GetTimestamp();
        while (true)
        {
            if (_reopen)
            {
                _reopen = false;
                Flush();
                if (_output.Reopen() is { } reopenError) _report($"cannot reopen {_output.Target}: {reopenError}");
            }
            else if (!_output.IsOpen && Stopwatch.GetTimestamp() - openedAt > RetryInterval)
            {
                openedAt = Stopwatch.GetTimestamp();
                _output.Open();
            }

            var more = Drain();
            _tick?.Invoke();
            var now = Stopwatch.GetTimestamp();
            if (more)
            {
                if (now - flushedAt >= FlushInterval)
                {
                    Flush();
                    flushedAt = now;
                }
                continue;
            }
            Flush();
            flushedAt = now;
            if (_stopping && now - Volatile.Read(ref _stopAt) > StopGrace) break;
            Volatile.Write(ref _sleeping, 1);
            _wake.Wait(IdleWaitMilliseconds);
            Volatile.Write(ref _sleeping, 0);
            _wake.Reset();
        }
        _output.Dispose();
    }

    /// <summary>Moves published lines into the batch, writing it out as it fills; true when it stopped with lines left.</summary>
    private bool Drain()
    {
        var moved = 0;
        while (_ring.TryPeek(out var line))
        {
            if (_batchLength + line.Length > BatchBytes) Flush();
            if (line.Length > BatchBytes) Write(line, 1);
            else
            {
                line.CopyTo(_batch.AsSpan(_batchLength));
                _batchLength += line.Length;
                _batchLines++;
            }
            moved += line.Length;
            _ring.Release();
            if (moved >= BatchBytes) return true;
        }
        return false;
    }

    private void Flush()
    {
        if (_batchLength == 0) return;
        Write(_batch.AsSpan(0, _batchLength), _batchLines);
        _batchLength = _batchLines = 0;
    }

    private void Write(ReadOnlySpan<byte> lines, int count)
    {
        if (!_output.IsOpen)
        {
            Interlocked.Add(ref _lost, count);
            return;
        }
        var error = _output.Write(lines);
        if (error is not null)
        {
            Interlocked.Add(ref _lost, count);
            // Told once per run of failures, not once per batch.
            if (!_failing) _report($"cannot write to {_output.Target}: {error}; its lines are dropped until it can be");
        }
        _failing = error is not null;
    }

    /// <summary>Writes what is queued (for a short grace, as producers may still hold a line), then ends the thread.</summary>
    public void Dispose()
    {
        Volatile.Write(ref _stopAt, Stopwatch.GetTimestamp());
        _stopping = true;
        _wake.Set();
        // A thread blocked on its output (a pipe nobody reads) is a background thread: it does not hold the process.
        _thread.Join(TimeSpan.FromSeconds(2));
    }
}
