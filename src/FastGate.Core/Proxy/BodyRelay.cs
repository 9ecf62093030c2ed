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
    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    public static async ValueTask<RelayResult> CopyContentLengthAsync(PipeReader source, PipeWriter destination,
        long length, RelayTiming timing, RelayProgress progress)
    {
        try
        {
            while (length > 0)
            {
                var result = await ReadAsync(source, timing).ConfigureAwait(false);
                if (result.IsCanceled && Stopped(timing) is { } stopped) return stopped;
                timing.Source.ClearReadDeadline();
                var buffer = result.Buffer;
                var slice = buffer.Length > length ? buffer.Slice(0, length) : buffer;
                foreach (var segment in slice) destination.Write(segment.Span);
                length -= slice.Length;
                progress.Bytes += slice.Length;
                source.AdvanceTo(slice.End);
                if (length == 0) break;
                if (result.IsCompleted) return RelayResult.SourceEnded;
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
        try
        {
            while (true)
            {
                var result = await ReadAsync(source, timing).ConfigureAwait(false);
                if (result.IsCanceled && Stopped(timing) is { } stopped) return stopped;
                timing.Source.ClearReadDeadline();
                var buffer = result.Buffer;
                var status = decoder.Decode(buffer, destination, reframe, maxTrailerBytes, out var consumed);
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
                if (result.IsCompleted) return RelayResult.SourceEnded;
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
                var result = await ReadAsync(source, timing).ConfigureAwait(false);
                if (result.IsCanceled && Stopped(timing) is { } stopped) return stopped;
                timing.Source.ClearReadDeadline();
                var buffer = result.Buffer;
                if (!buffer.IsEmpty)
                {
                    if (chunk) WriteChunkHeader(destination, buffer.Length);
                    foreach (var segment in buffer) destination.Write(segment.Span);
                    if (chunk) destination.Write("\r\n"u8);
                    progress.Bytes += buffer.Length;
                }
                source.AdvanceTo(buffer.End);
                if (result.IsCompleted)
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
    private static ValueTask<ReadResult> ReadAsync(PipeReader source, RelayTiming timing)
    {
        var read = source.ReadAsync();
        if (read.IsCompleted) return read;
        timing.Source.SetReadDeadline(timing.Idle);
        return read;
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
            }
            else
            {
                timing.Destination.SetFlushDeadline(timing.Send);
                result = await flush.ConfigureAwait(false);
                if (result.IsCanceled && timing.Destination.FlushTimedOut) return RelayResult.SendTimedOut;
                timing.Destination.ClearFlushDeadline();
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
