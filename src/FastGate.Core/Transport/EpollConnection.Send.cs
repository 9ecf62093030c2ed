using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;

namespace FastGate.Transport;

internal sealed partial class EpollConnection
{
    /// <summary>Segments gathered into one sendmsg.</summary>
    private const int MaxGather = 16;

    /// <summary>
    /// Writes whatever the application flushed, directly from its flush (inline scheduling), with one send or
    /// sendmsg per flush in the common case. Waits for an EPOLLOUT edge only when the kernel buffer is full.
    /// </summary>
    private async Task SendAsync()
    {
        var reader = _output.Reader;
        Exception? unexpected = null;
        var completed = false;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled) break; // aborted
                var buffer = result.Buffer;
                while (!buffer.IsEmpty)
                {
                    var sent = SendSome(buffer);
                    if (sent > 0)
                    {
                        buffer = buffer.Slice(sent);
                        continue;
                    }
                    await _writable.WaitAsync().ConfigureAwait(false);
                    if (Volatile.Read(ref _shutdownReason) is not null) return;
                }
                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    completed = true;
                    break;
                }
            }
        }
        catch (ConnectionResetException)
        {
            // the peer is gone; the application's next flush reports completion
        }
        catch (Exception ex)
        {
            unexpected = ex;
        }
        finally
        {
            // As Kestrel: a reset is not the application's error (its flushes just report completion).
            reader.Complete(unexpected); // synchronous for a pipe; an awaiter would widen this method's box
            // A reset met while sending leaves the input alone: what the peer sent before it (an upstream's early
            // 413, say) is still queued, and the receiver reads it before it meets the reset itself.
            if (unexpected is not null) Shutdown(unexpected);
            else if (completed) ShutdownSocket(LibC.SHUT_WR); // the application is done writing: FIN, input stays open
        }
    }

    /// <summary>One send (or sendmsg of several pinned blocks). Returns the bytes sent, 0 when the buffer is full.</summary>
    private unsafe int SendSome(in ReadOnlySequence<byte> buffer)
    {
        nint n;
        if (buffer.IsSingleSegment || !MemoryMarshal.TryGetMemoryManager<byte, PinnedBlock>(buffer.First, out _))
        {
            var span = buffer.FirstSpan;
            while (true)
            {
                fixed (byte* data = span)
                {
                    n = LibC.send(_fd, data, span.Length, LibC.MSG_NOSIGNAL);
                }
                if (n >= 0) return (int)n;
                if (!Retry()) return 0;
            }
        }

        var vectors = stackalloc LibC.IoVector[MaxGather];
        var count = 0;
        foreach (var segment in buffer)
        {
            if (segment.IsEmpty) continue;
            // Only blocks of our pinned pool can be handed over together; stop at anything else.
            if (!MemoryMarshal.TryGetMemoryManager<byte, PinnedBlock>(segment, out var block, out var start, out var length)) break;
            vectors[count].Base = block.Pointer + start;
            vectors[count].Length = (nuint)length;
            if (++count == MaxGather) break;
        }
        var message = new LibC.MessageHeader { Vectors = vectors, VectorCount = (nuint)count };
        while (true)
        {
            n = LibC.sendmsg(_fd, &message, LibC.MSG_NOSIGNAL);
            if (n >= 0) return (int)n;
            if (!Retry()) return 0;
        }
    }

    /// <summary>After a failed send: true to retry (EINTR), false when full (EAGAIN); throws for anything else.</summary>
    private static bool Retry()
    {
        var errno = Marshal.GetLastPInvokeError();
        if (errno == LibC.EINTR) return true;
        if (errno == LibC.EAGAIN) return false;
        throw SocketErrors.ForTransfer(errno);
    }
}
