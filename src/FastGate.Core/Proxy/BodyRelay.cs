using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using FastGate.Http;
using FastGate.Threading;

namespace FastGate.Proxy;

/// <summary>
/// Streams a message body from one pipe to another with back-pressure: each read is written and flushed before
/// the next read, so nothing is buffered whole. The last write is left unflushed for the caller to batch.
/// Deadlines, not timers (<see cref="RelayTiming"/>): a read without progress within the idle timeout ends the
/// relay as <see cref="RelayResult.TimedOut"/>, a flush the destination does not take within the send timeout as
/// <see cref="RelayResult.SendTimedOut"/>.
/// </summary>
internal static class BodyRelay
{
    /// <summary>
    /// Most bytes written per flush. A destination that stops reading then holds at most its pipe's pause threshold
    /// plus this, not a whole upstream read.
    /// </summary>
    internal const int MaxWritePerFlush = 16 * 1024;

    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    public static async ValueTask<RelayResult> CopyContentLengthAsync(PipeReader source, PipeWriter destination,
        long length, RelayTiming timing, RelayProgress progress)
    {
        try
        {
            while (length > 0)
            {
                var result = await ReadAsync(source, timing, progress.Bytes).ConfigureAwait(false);
                if (result.IsCanceled && Stopped(timing) is { } stopped) return stopped;
                EndRead(timing);
                var buffer = result.Buffer;
                var slice = buffer.Slice(0, Math.Min(buffer.Length, Math.Min(length, MaxWritePerFlush)));
                foreach (var segment in slice) destination.Write(segment.Span);
                length -= slice.Length;
                progress.Bytes += slice.Length;
                source.AdvanceTo(slice.End);
                if (length == 0) break;
                if (result.IsCompleted && slice.Length == buffer.Length) return RelayResult.SourceEnded;
                var flushed = await FlushAsync(destination, timing).ConfigureAwait(false);
                if (flushed != RelayResult.Done) return flushed;
            }
            return RelayResult.Done;
        }
        catch (Exception ex) when (IsTransportError(ex))
        {
            return RelayResult.Failed;
        }
    }

    /// <param name="reframe">true: forward clean chunks and trailers; false: the data only (HTTP/1.0 client).</param>
    /// <param name="maxBytes">data limit, or -1 for none.</param>
    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    public static async ValueTask<RelayResult> CopyChunkedAsync(PipeReader source, PipeWriter destination, bool reframe,
        long maxBytes, int maxTrailerBytes, RelayTiming timing, RelayProgress progress)
    {
        var decoder = new ChunkedDecoder();
        decoder.Reset();
        var stalled = false;
        try
        {
            while (true)
            {
                var result = await ReadAsync(source, timing, progress.Bytes).ConfigureAwait(false);
                if (result.IsCanceled && Stopped(timing) is { } stopped) return stopped;
                EndRead(timing);
                var all = result.Buffer;
                // A window that let the decoder make no progress (a long trailer line) is widened to everything read.
                var buffer = stalled ? all : all.Slice(0, Math.Min(all.Length, MaxWritePerFlush));
                var status = decoder.Decode(buffer, destination, reframe, maxTrailerBytes, out var consumed);
                stalled = consumed.Equals(all.Start) && buffer.Length < all.Length;
                progress.Bytes = decoder.DataBytes;
                if (maxBytes >= 0 && decoder.DataBytes > maxBytes)
                {
                    source.AdvanceTo(consumed);
                    return RelayResult.TooLarge;
                }
                if (status != ParseStatus.Incomplete)
                {
                    source.AdvanceTo(consumed);
                    return status == ParseStatus.Complete ? RelayResult.Done : RelayResult.Invalid;
                }
                source.AdvanceTo(consumed, buffer.End);
                if (result.IsCompleted && buffer.Length == all.Length) return RelayResult.SourceEnded;
                var flushed = await FlushAsync(destination, timing).ConfigureAwait(false);
                if (flushed != RelayResult.Done) return flushed;
            }
        }
        catch (Exception ex) when (IsTransportError(ex))
        {
            return RelayResult.Failed;
        }
    }

    /// <summary>A body that ends when the upstream closes; re-framed as chunks for a keep-alive HTTP/1.1 client.</summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    public static async ValueTask<RelayResult> CopyUntilCloseAsync(PipeReader source, PipeWriter destination, bool chunk,
        RelayTiming timing, RelayProgress progress)
    {
        try
        {
            while (true)
            {
                var result = await ReadAsync(source, timing, progress.Bytes).ConfigureAwait(false);
                if (result.IsCanceled && Stopped(timing) is { } stopped) return stopped;
                EndRead(timing);
                var buffer = result.Buffer.Slice(0, Math.Min(result.Buffer.Length, MaxWritePerFlush));
                var ended = result.IsCompleted && buffer.Length == result.Buffer.Length;
                if (!buffer.IsEmpty)
                {
                    if (chunk) WriteChunkHeader(destination, buffer.Length);
                    foreach (var segment in buffer) destination.Write(segment.Span);
                    if (chunk) destination.Write("\r\n"u8);
                    progress.Bytes += buffer.Length;
                }
                source.AdvanceTo(buffer.End);
                if (ended)
                {
                    if (chunk) destination.Write("0\r\n\r\n"u8);
                    return RelayResult.Done;
                }
                var flushed = await FlushAsync(destination, timing).ConfigureAwait(false);
                if (flushed != RelayResult.Done) return flushed;
            }
        }
        catch (Exception ex) when (IsTransportError(ex))
        {
            return RelayResult.Failed;
        }
    }

    /// <summary>
    /// Reads with the source's idle deadline armed only while the read waits. A cancelled result is judged by
    /// <see cref="Stopped"/>; a stray cancel (see <see cref="Deadlines.PipeDeadlines"/>) is just an empty read.
    /// </summary>
    private static ValueTask<ReadResult> ReadAsync(PipeReader source, RelayTiming timing, long bytes)
    {
        var read = source.ReadAsync();
        if (read.IsCompleted) return read;
        timing.Source.SetReadDeadline(timing.Rate.IsSet ? timing.Rate.StartWait(timing.Idle, bytes) : timing.Idle, timing.NotAfter);
        return read;
    }

    private static void EndRead(RelayTiming timing)
    {
        timing.Source.ClearReadDeadline();
        if (timing.Rate.IsSet) timing.Rate.EndWait();
    }

    /// <summary>Why a cancelled read ends the relay, or null for a stray cancel that it should ignore.</summary>
    private static RelayResult? Stopped(RelayTiming timing)
    {
        if (timing.Source.Aborted) return RelayResult.Failed;
        if (timing.Source.ReadTimedOut) return RelayResult.TimedOut;
        return null;
    }

    /// <summary>Flushes; a flush that waits on back-pressure has the destination's send deadline.</summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    public static async ValueTask<RelayResult> FlushAsync(PipeWriter destination, RelayTiming timing)
    {
        while (true)
        {
            var flush = destination.FlushAsync();
            FlushResult result;
            if (flush.IsCompletedSuccessfully)
            {
                result = flush.Result;
                // A writer that waits itself (ResponseSpool) reports the send timeout as a completed, cancelled flush.
                if (result.IsCanceled && timing.Destination.FlushTimedOut) return RelayResult.SendTimedOut;
                if (result.IsCanceled && timing.Destination.FlushAborted) return RelayResult.DestinationClosed;
            }
            else
            {
                timing.Destination.SetFlushDeadline(timing.Send);
                result = await flush.ConfigureAwait(false);
                if (result.IsCanceled && timing.Destination.FlushTimedOut) return RelayResult.SendTimedOut;
                timing.Destination.ClearFlushDeadline();
                if (result.IsCanceled && timing.Destination.FlushAborted) return RelayResult.DestinationClosed;
            }
            if (result.IsCompleted) return RelayResult.DestinationClosed;
            if (!result.IsCanceled) return RelayResult.Done;
        }
    }

    public static bool IsTransportError(Exception ex)
        => ex is IOException or System.Net.Sockets.SocketException or OperationCanceledException or ObjectDisposedException
            or InvalidOperationException or Microsoft.AspNetCore.Connections.ConnectionAbortedException;

    private static void WriteChunkHeader(PipeWriter destination, long length)
    {
        var span = destination.GetSpan(20);
        length.TryFormat(span, out var written, "X");
        span[written++] = (byte)'\r';
        span[written++] = (byte)'\n';
        destination.Advance(written);
    }
}
