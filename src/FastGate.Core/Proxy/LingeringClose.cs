using System.IO.Pipelines;
using FastGate.Deadlines;
using FastGate.Http;

namespace FastGate.Proxy;

/// <summary>
/// Closes a connection whose client is still sending a request body the gateway answered without reading (a 404,
/// a 413, an upstream's early answer): the answer is sent and followed by a FIN, then what the client still sends
/// is read and dropped, for at most <c>limits.lingering_time</c> in all, <c>lingering_timeout</c> per read and
/// <c>max_lingering_bytes</c>. Closing at once would leave those bytes unread, and the kernel would answer them with
/// a reset that can destroy the answer before the client has read it (RFC 9112 §9.6; nginx's lingering_close).
/// </summary>
internal static class LingeringClose
{
    /// <summary>Whether the connection's exchange ended with an answer sent and part of the request body unread.</summary>
    public static bool IsNeeded(ExchangeContext context)
        => context.Request.HasBody && !context.RequestBodyComplete && !context.RequestBodyPending && context.Status != 0
            && !context.AbortConnection && context.Outcome != ExchangeOutcome.Tunnelled
            && context.Error is not (ProxyError.RequestTimeout or ProxyError.ClientAborted or ProxyError.ClientSendTimeout);

    /// <remarks>Rare (an answer that came before its body), so an ordinary Task is fine.</remarks>
    public static async Task RunAsync(PipeReader input, PipeWriter output, PipeDeadlines deadlines, HttpLimits limits)
    {
        await output.CompleteAsync().ConfigureAwait(false); // what is queued goes out, then the FIN
        deadlines.Clear();
        var end = Heartbeat.After(limits.LingeringTime);
        long drained = 0;
        while (true)
        {
            var left = TimeSpan.FromMilliseconds(Math.Max(0, end - Heartbeat.Now));
            deadlines.SetReadDeadline(left < limits.LingeringTimeout ? left : limits.LingeringTimeout);
            ReadResult result;
            try
            {
                result = await input.ReadAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (BodyRelay.IsTransportError(ex))
            {
                return;
            }
            if (result.IsCanceled && deadlines.ReadTimedOut) return;
            drained += result.Buffer.Length;
            input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted || drained > limits.MaxLingeringBytes) return;
        }
    }
}
