using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using FastGate.Http;
using FastGate.Threading;

namespace FastGate.Proxy;

/// <summary>
/// Streams a message body from one pipe to another with back-pressure: each read is written and flushed before
/// the next read, so nothing is buffered whole. The last write is left unflushed for the caller to batch.
/// A timer is re-armed before every read and flush: no progress within <c>idle</c> ends the relay.
/// </summary>
internal static class BodyRelay
{
    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    public static async ValueTask<RelayResult> CopyContentLengthAsync(PipeReader source, PipeWriter destination,
        long length, CancellationTokenSource timer, TimeSpan idle)
    {
        try
        {
            while (length > 0)
            {
                timer.CancelAfter(idle);
                var result = await source.ReadAsync(timer.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                var slice = buffer.Length > length ? buffer.Slice(0, length) : buffer;
                foreach (var segment in slice) destination.Write(segment.Span);
                length -= slice.Length;
                source.AdvanceTo(slice.End);
                if (length == 0) break;
                if (result.IsCanceled) return RelayResult.Failed;
                if (result.IsCompleted) return RelayResult.SourceEnded;
                if ((await destination.FlushAsync(timer.Token).ConfigureAwait(false)).IsCompleted)
                    return RelayResult.DestinationClosed;
            }
            return RelayResult.Done;
        }
        catch (Exception ex) when (IsTransportError(ex))
        {
            return Outcome(ex, timer);
        }
    }

    /// <param name="reframe">true: forward clean chunks and trailers; false: the data only (HTTP/1.0 client).</param>
    /// <param name="maxBytes">data limit, or -1 for none.</param>
    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    public static async ValueTask<RelayResult> CopyChunkedAsync(PipeReader source, PipeWriter destination, bool reframe,
        long maxBytes, int maxTrailerBytes, CancellationTokenSource timer, TimeSpan idle)
    {
        var decoder = new ChunkedDecoder();
        decoder.Reset();
        try
        {
            while (true)
            {
                timer.CancelAfter(idle);
                var result = await source.ReadAsync(timer.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                var status = decoder.Decode(buffer, destination, reframe, maxTrailerBytes, out var consumed);
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
                if (result.IsCanceled) return RelayResult.Failed;
                if (result.IsCompleted) return RelayResult.SourceEnded;
                if ((await destination.FlushAsync(timer.Token).ConfigureAwait(false)).IsCompleted)
                    return RelayResult.DestinationClosed;
            }
        }
        catch (Exception ex) when (IsTransportError(ex))
        {
            return Outcome(ex, timer);
        }
    }

    /// <summary>A body that ends when the upstream closes; re-framed as chunks for a keep-alive HTTP/1.1 client.</summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    public static async ValueTask<RelayResult> CopyUntilCloseAsync(PipeReader source, PipeWriter destination, bool chunk,
        CancellationTokenSource timer, TimeSpan idle)
    {
        try
        {
            while (true)
            {
                timer.CancelAfter(idle);
                var result = await source.ReadAsync(timer.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                if (!buffer.IsEmpty)
                {
                    if (chunk) WriteChunkHeader(destination, buffer.Length);
                    foreach (var segment in buffer) destination.Write(segment.Span);
                    if (chunk) destination.Write("\r\n"u8);
                }
                source.AdvanceTo(buffer.End);
                if (result.IsCanceled) return RelayResult.Failed;
                if (result.IsCompleted)
                {
                    if (chunk) destination.Write("0\r\n\r\n"u8);
                    return RelayResult.Done;
                }
                if ((await destination.FlushAsync(timer.Token).ConfigureAwait(false)).IsCompleted)
                    return RelayResult.DestinationClosed;
            }
        }
        catch (Exception ex) when (IsTransportError(ex))
        {
            return Outcome(ex, timer);
        }
    }

    /// <summary>The timer firing is a timeout; any other cancellation or socket error is a failure.</summary>
    private static RelayResult Outcome(Exception ex, CancellationTokenSource timer)
        => ex is OperationCanceledException && timer.IsCancellationRequested ? RelayResult.TimedOut : RelayResult.Failed;

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
