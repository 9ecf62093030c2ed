using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using FastGate.Proxy;
using FastGate.Threading;

namespace FastGate.Caching;

/// <summary>Writes a stored response to the client: the stored head, Age, the exchange's added lines, Connection, then the body.</summary>
internal static class CacheHitWriter
{
    [AsyncMethodBuilder(typeof(PooledValueTaskBuilder<>))]
    public static async ValueTask<RelayResult> WriteAsync(ExchangeContext context, CacheEntry entry, bool close)
    {
        var output = context.ClientOutput;
        var request = context.Request;
        WriteHead(output, entry, context.ResponseEdits.Added, close, http10: request.VersionMinor == 0, Stopwatch.GetTimestamp());
        var timing = context.ClientFlushTiming;
        if (request.Method != Http.HttpMethod.Head)
        {
            var body = entry.Body;
            for (var offset = 0; offset < body.Length; offset += BodyRelay.MaxWritePerFlush)
            {
                // Slices with a flush between them: a slow client holds one slice in the pipe, not the whole body.
                if (offset > 0)
                {
                    var flushed = await BodyRelay.FlushAsync(output, timing).ConfigureAwait(false);
                    if (flushed != RelayResult.Done) return flushed;
                }
                var length = Math.Min(BodyRelay.MaxWritePerFlush, body.Length - offset);
                output.Write(body.AsSpan(offset, length));
                context.ResponseBody.Bytes += length;
            }
        }
        return await BodyRelay.FlushAsync(output, timing).ConfigureAwait(false);
    }

    /// <summary>The stored head, Age, the added lines and Connection, and the blank line.</summary>
    public static void WriteHead(IBufferWriter<byte> output, CacheEntry entry, HeaderBlock added, bool close, bool http10, long now)
    {
        output.Write(entry.Head);
        WriteAge(output, Age(entry, now));
        added.WriteTo(output);
        if (close) output.Write("Connection: close\r\n"u8);
        else if (http10) output.Write("Connection: keep-alive\r\n"u8);
        output.Write("\r\n"u8);
    }

    /// <summary>Age in seconds: the upstream's Age when stored plus the time the entry has been resident.</summary>
    public static long Age(CacheEntry entry, long now) =>
        entry.InitialAge + (long)Stopwatch.GetElapsedTime(entry.StoredAt, now).TotalSeconds;

    private static void WriteAge(IBufferWriter<byte> output, long age)
    {
        var span = output.GetSpan(32);
        "Age: "u8.CopyTo(span);
        age.TryFormat(span[5..], out var written);
        written += 5;
        span[written++] = (byte)'\r';
        span[written++] = (byte)'\n';
        output.Advance(written);
    }
}
