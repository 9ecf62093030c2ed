using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using FastGate.Http;
using FastGate.Proxy;
using FastGate.Threading;

namespace FastGate.Buffering;

/// <summary>
/// Waits, before an upstream connection is leased, until <c>limits.request_buffer</c> bytes of the request body (or
/// the whole body, when smaller) have arrived (nginx's request buffering, bounded). A small body is then forwarded
/// whole; a large one holds an upstream connection only once it has shown that it moves; a body that dribbles is
/// ended by <c>limits.min_request_body_rate</c> without ever holding one. Nothing is consumed: the relay reads
/// the same bytes from the client's pipe. When the whole body has arrived, <see cref="ExchangeContext.WholeBodyLength"/>
/// says how many bytes of the pipe it takes (so a retry policy can keep it).
/// </summary>
internal static class RequestBodyBuffering
{
    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    /// <param name="atLeast">bytes to wait for even beyond <c>request_buffer</c> (a body a retry policy could keep).</param>
    public static async ValueTask<RelayResult> FillAsync(ExchangeContext context, int atLeast)
    {
        var request = context.Request;
        var limits = context.Snapshot.Limits;
        var buffered = Math.Max(limits.RequestBuffer, atLeast);
        var wanted = request.Chunked ? buffered : Math.Min(request.ContentLength, buffered);
        if (wanted <= 0) return RelayResult.Done;

        // A client waiting for 100 (Continue) sends nothing until it has one.
        if (!await UpstreamExchange.SendContinueIfExpectedAsync(context).ConfigureAwait(false)) return RelayResult.DestinationClosed;

        var input = context.ClientInput;
        var deadlines = context.ClientDeadlines;
        var rate = new BodyRate(limits.MinRequestBodyRate, limits.MinRequestBodyRateGrace, context.RequestBody);
        var decoder = new ChunkedDecoder();
        decoder.Reset();
        long scanned = 0;
        while (true)
        {
            var read = input.ReadAsync();
            if (!read.IsCompleted)
                deadlines.SetReadDeadline(rate.IsSet ? rate.StartWait(limits.KeepAliveTimeout, scanned) : limits.KeepAliveTimeout);
            var result = await read.ConfigureAwait(false);
            var buffer = result.Buffer;
            if (result.IsCanceled && (deadlines.Aborted || deadlines.ReadTimedOut))
            {
                input.AdvanceTo(buffer.Start, buffer.End);
                return deadlines.Aborted ? RelayResult.Failed : RelayResult.TimedOut;
            }
            deadlines.ClearReadDeadline();
            if (rate.IsSet) rate.EndWait();

            var status = ParseStatus.Incomplete;
            if (!request.Chunked)
            {
                scanned = buffer.Length;
            }
            else if (buffer.Length > scanned)
            {
                // Only the bytes not seen yet: a body dribbled a byte at a time is scanned once, not once per byte.
                status = decoder.Decode(buffer.Slice(scanned), DiscardingWriter.Instance, reframe: false,
                    limits.MaxHeaderBytes, out var consumed);
                scanned = buffer.Slice(0, consumed).Length;
            }

            var tooLarge = limits.MaxRequestBodyBytes >= 0 && decoder.DataBytes > limits.MaxRequestBodyBytes;
            if (status == ParseStatus.Error || tooLarge)
            {
                input.AdvanceTo(buffer.Start, buffer.End);
                return tooLarge ? RelayResult.TooLarge : RelayResult.Invalid;
            }
            if (status == ParseStatus.Complete || buffer.Length >= wanted)
            {
                if (status == ParseStatus.Complete) context.WholeBodyLength = scanned;
                else if (!request.Chunked && buffer.Length >= request.ContentLength) context.WholeBodyLength = request.ContentLength;
                input.AdvanceTo(buffer.Start); // nothing examined: the relay's first read sees it all at once
                return RelayResult.Done;
            }
            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted) return RelayResult.SourceEnded;
        }
    }
}
