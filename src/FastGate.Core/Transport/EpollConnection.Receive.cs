using System.IO.Pipelines;
using System.Runtime.InteropServices;

namespace FastGate.Transport;

internal sealed partial class EpollConnection
{
    /// <summary>Bytes read without a flush before the reader gets them (the rest stays in the kernel until then): the pause threshold, so one burst cannot overfill the pipe.</summary>
    private readonly int _maxReadPerFlush;

    private enum ReadOutcome : byte { Drained, More, End }

    /// <summary>
    /// Reads only after an EPOLLIN edge, until a read comes back short (the kernel queue is empty: no EAGAIN read),
    /// then flushes. A flush that waits (the reader is behind) pauses reading; afterwards reading resumes at once if
    /// the queue was not drained, since no new edge will come for bytes already queued.
    /// </summary>
    private async Task ReceiveAsync()
    {
        var writer = _input.Writer;
        Exception? error = null;
        try
        {
            while (true)
            {
                await _readable.WaitAsync().ConfigureAwait(false);
                while (true)
                {
                    if (StopReceiving) return;
                    var outcome = ReadAvailable(writer, out var bytes);
                    if (bytes > 0)
                    {
                        var flush = writer.FlushAsync();
                        var result = flush.IsCompletedSuccessfully ? flush.Result : await flush.ConfigureAwait(false);
                        if (result.IsCompleted || result.IsCanceled) return; // nobody reads the input any more
                    }
                    if (outcome == ReadOutcome.End) return;
                    // Drained: wait for the next edge, unless the peer has shut down and data just came (a FIN
                    // may follow the data in the same edge: read on to the 0).
                    if (outcome == ReadOutcome.Drained && (!_peerShutdown || bytes == 0)) break;
                }
            }
        }
        catch (Exception ex)
        {
            error = ex;
        }
        finally
        {
            // Marked before the reader hears of it, so code continuing from the completion sees ConnectionClosed set.
            var closed = MarkReceiveEnded();
            // An abort's reason wins over whatever the aborted socket reported, as in Kestrel.
            // Complete, not CompleteAsync: the pipe's is synchronous, and an awaiter would widen this method's box.
            writer.Complete(Volatile.Read(ref _shutdownReason) ?? error);
            if (closed is not null) ThreadPool.UnsafeQueueUserWorkItem(static s => s.Cancel(), closed, preferLocal: false);
        }
    }

    /// <summary>Reads into the pipe's memory until the kernel queue is drained, a cap is reached, or the peer's FIN.</summary>
    private unsafe ReadOutcome ReadAvailable(PipeWriter writer, out int total)
    {
        total = 0;
        while (true)
        {
            var memory = writer.GetMemory();
            nint n;
            fixed (byte* buffer = memory.Span)
            {
                n = LibC.recv(_fd, buffer, memory.Length, 0);
            }
            if (n > 0)
            {
                writer.Advance((int)n);
                total += (int)n;
                if (n < memory.Length) return ReadOutcome.Drained;
                if (total >= _maxReadPerFlush) return ReadOutcome.More;
                continue;
            }
            if (n == 0) return ReadOutcome.End;
            var errno = Marshal.GetLastPInvokeError();
            if (errno == LibC.EAGAIN) return ReadOutcome.Drained;
            if (errno == LibC.EINTR) continue;
            throw SocketErrors.ForTransfer(errno);
        }
    }
}
