using System.Buffers;
using System.IO.Pipelines;
using FastGate.Deadlines;
using FastGate.Http;
using FastGate.Transport;

namespace FastGate.Buffering;

/// <summary>
/// The way of a response body to a client that reads slower than the upstream sends (nginx's proxy buffering).
/// Bytes go straight into the client's pipe while its flushes complete at once. When one has to wait, the bytes
/// that follow are held instead: in memory up to <c>limits.response_buffer</c>, beyond that in an unlinked
/// temporary file (<see cref="SpoolFile"/>), so the upstream is read to the end and its connection released while
/// the client is still reading. Held bytes move on to the client whenever it catches up, and
/// <see cref="DrainAsync"/> delivers the rest, with back-pressure and the send deadline.
/// </summary>
/// <remarks>
/// A flush the relay makes while bytes are held returns at once, unless nowhere is left to hold them (no file can
/// be written, or the per-response or process-wide spool cap is reached): then it waits for the client to take
/// everything held, and the upstream feels the back-pressure. A client that takes nothing for the send timeout
/// makes a flush come back cancelled with the client's flush deadline passed, as a plain pipe flush would.
/// </remarks>
internal sealed class ResponseSpool : PipeWriter
{
    private readonly Pipe _memory = new(new PipeOptions(PinnedBlockMemoryPool.Instance, PipeScheduler.Inline,
        PipeScheduler.Inline, pauseWriterThreshold: 0, resumeWriterThreshold: 0, useSynchronizationContext: false));

    private PipeWriter _client = null!;
    private PipeDeadlines _deadlines = null!;
    private HttpLimits _limits = null!;
    /// <summary>The body is known to be larger than the memory budget: held bytes go to the file from the start.</summary>
    private bool _large;
    private bool _holding;
    /// <summary>A flush of the client's pipe that has not completed, and must be awaited exactly once.</summary>
    private ValueTask<FlushResult> _waiting;
    private bool _isWaiting;
    private FlushResult? _ended;
    private long _inMemory;
    private SpoolFile? _file;
    /// <summary>Held bytes go on to the file: memory only stages each write until the relay's next flush.</summary>
    private bool _toFile;

    /// <summary>Whether bytes are held that the client has not been given yet.</summary>
    public bool IsHolding => _holding;

    /// <summary>Starts a response body of <paramref name="bodyLength"/> bytes (-1 when unknown) to <paramref name="client"/>.</summary>
    public PipeWriter Begin(PipeWriter client, PipeDeadlines deadlines, HttpLimits limits, long bodyLength)
    {
        _client = client;
        _deadlines = deadlines;
        _limits = limits;
        _large = bodyLength > limits.ResponseBuffer;
        return this;
    }

    public override void Advance(int bytes)
    {
        if (!_holding) _client.Advance(bytes);
        else
        {
            _memory.Writer.Advance(bytes);
            _inMemory += bytes;
        }
    }

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        return _holding ? _memory.Writer.GetMemory(sizeHint) : _client.GetMemory(sizeHint);
    }

    public override Span<byte> GetSpan(int sizeHint = 0)
    {
        return _holding ? _memory.Writer.GetSpan(sizeHint) : _client.GetSpan(sizeHint);
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        if (!_holding)
        {
            var flush = _client.FlushAsync(cancellationToken);
            if (flush.IsCompletedSuccessfully) return flush;
            StartHolding(flush);
            return default;
        }
        _memory.Writer.FlushAsync().GetAwaiter().GetResult(); // never waits: no pause threshold
        MoveHeldBytes();
        if (_ended is { } ended) return new ValueTask<FlushResult>(ended);
        if (!_holding || RoomLeft()) return default;
        return DrainAsync();
    }

    /// <summary>
    /// Delivers every held byte to the client. Cancelled: it took nothing for the send timeout; completed: it is gone.
    /// </summary>
    public async ValueTask<FlushResult> DrainAsync()
    {
        while (true)
        {
            MoveHeldBytes();
            if (_ended is { } ended) return ended;
            if (!_holding) return default;
            Settle(await _waiting.ConfigureAwait(false));
        }
    }

    /// <summary>Drops whatever is held and gets ready for the next response.</summary>
    public void Reset()
    {
        if (!_holding && _file is null && _ended is null) return;
        while (_inMemory > 0 && _memory.Reader.TryRead(out var result))
        {
            _inMemory -= result.Buffer.Length;
            _memory.Reader.AdvanceTo(result.Buffer.End);
        }
        _inMemory = 0;
        _file?.Dispose();
        _file = null;
        _holding = _isWaiting = _toFile = false;
        _waiting = default;
        _ended = null;
    }

    public override void CancelPendingFlush() => _client.CancelPendingFlush();

    public override void Complete(Exception? exception = null) => _client.Complete(exception);

    private void StartHolding(ValueTask<FlushResult> flush)
    {
        _holding = true;
        Wait(flush);
        if (_large && _limits.Spool) TryStartFile();
    }

    private void Wait(ValueTask<FlushResult> flush)
    {
        _waiting = flush;
        _isWaiting = true;
        _deadlines.SetFlushDeadline(_limits.SendTimeout);
    }

    /// <summary>Judges a client flush that completed: caught up, timed out, gone, or a stray cancel to wait out.</summary>
    private void Settle(FlushResult result)
    {
        _isWaiting = false;
        _waiting = default;
        if (result.IsCompleted) _ended = result;
        else if (result.IsCanceled && _deadlines.FlushTimedOut) _ended = result;
        else if (result.IsCanceled)
        {
            var again = _client.FlushAsync();
            if (!again.IsCompletedSuccessfully) Wait(again);
            else Settle(again.Result);
        }
        else _deadlines.ClearFlushDeadline();
    }

    /// <summary>Moves held bytes into the client's pipe for as long as its flushes complete at once.</summary>
    private void MoveHeldBytes()
    {
        while (_holding && _ended is null)
        {
            if (_isWaiting)
            {
                if (!_waiting.IsCompleted) return;
                Settle(_waiting.Result);
                continue;
            }
            if (!CopyHeldPiece())
            {
                _holding = false;
                _file?.Rewind();
                return;
            }
            var flush = _client.FlushAsync();
            if (flush.IsCompletedSuccessfully) Settle(flush.Result);
            else Wait(flush);
        }
    }

    /// <summary>Copies the oldest held bytes (at most one relay write's worth) to the client; false when none are left.</summary>
    /// <remarks>What the file holds is always older than what memory holds: memory only ever stages bytes for it.</remarks>
    private bool CopyHeldPiece()
    {
        if (_file is { Unread: > 0 } file)
        {
            var copied = 0;
            while (copied < Proxy.BodyRelay.MaxWritePerFlush && file.Unread > 0)
            {
                var read = file.Read(_client.GetSpan());
                _client.Advance(read);
                copied += read;
            }
            return true;
        }
        if (_inMemory > 0 && _memory.Reader.TryRead(out var result))
        {
            var piece = result.Buffer.Slice(0, Math.Min(result.Buffer.Length, Proxy.BodyRelay.MaxWritePerFlush));
            foreach (var segment in piece) _client.Write(segment.Span);
            _inMemory -= piece.Length;
            _memory.Reader.AdvanceTo(piece.End);
            return true;
        }
        return false;
    }

    /// <summary>Whether held bytes may grow further without waiting for the client; spills memory to a file when it may.</summary>
    private bool RoomLeft()
    {
        if (!_toFile)
        {
            if (_inMemory <= _limits.ResponseBuffer) return true;
            if (!_limits.Spool || !TryStartFile()) return false;
        }
        return WriteStaged();
    }

    private bool TryStartFile()
    {
        _file ??= SpoolFile.TryCreate(_limits.SpoolDirectory);
        _toFile = _file is not null;
        return _toFile;
    }

    /// <summary>
    /// Moves what memory stages into the file, so its blocks go back to the pool at once (a thousand stuck clients
    /// then hold no memory each, only file); false, with the rest kept in memory, when the file takes no more.
    /// </summary>
    private bool WriteStaged()
    {
        while (_inMemory > 0 && _memory.Reader.TryRead(out var result))
        {
            var written = 0L;
            foreach (var segment in result.Buffer)
            {
                if (!_file!.TryAppend(segment.Span, _limits.MaxSpoolPerResponse, _limits.MaxSpoolTotal)) break;
                written += segment.Length;
            }
            _inMemory -= written;
            _memory.Reader.AdvanceTo(result.Buffer.GetPosition(written));
            if (written < result.Buffer.Length) return false;
        }
        return true;
    }
}
