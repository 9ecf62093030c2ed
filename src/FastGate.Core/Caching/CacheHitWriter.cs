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
    public static async ValueTask<RelayResult> WriteAsync(ExchangeContext context, CacheEntry entry, bool close, bool notModified = false)
    {
        var output = context.ClientOutput;
        var request = context.Request;
        // The head's few writes go through one piece of the writer's memory (HeadBuffer), as a relayed head's do.
        var head = context.HeadBuffer.Begin(output);
        if (notModified) WriteNotModifiedHead(head, entry, context.ResponseEdits.Added, close, http10: request.VersionMinor == 0, Stopwatch.GetTimestamp());
        else WriteHead(head, entry, context.ResponseEdits.Added, close, http10: request.VersionMinor == 0, Stopwatch.GetTimestamp());
        context.HeadBuffer.End();
        var timing = context.ClientFlushTiming;
        if (request.Method != Http.HttpMethod.Head && !notModified)
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
        WriteTail(output, entry, added, close, http10, now);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteTail(IBufferWriter<byte> output, CacheEntry entry, HeaderBlock added, bool close, bool http10, long now)
    {
        WriteAge(output, Age(entry, now));
        added.WriteTo(output);
        if (close) output.Write("Connection: close\r\n"u8);
        else if (http10) output.Write("Connection: keep-alive\r\n"u8);
        output.Write("\r\n"u8);
    }

    /// <summary>
    /// A 304 for a client that has the stored response: the fields a 200 would carry that RFC 9110 §15.4.5 names
    /// (Cache-Control, Content-Location, Date, ETag, Expires, Vary) and Last-Modified, Age and the added lines; no
    /// body and no Content-Length.
    /// </summary>
    public static void WriteNotModifiedHead(IBufferWriter<byte> output, CacheEntry entry, HeaderBlock added, bool close, bool http10, long now)
    {
        output.Write("HTTP/1.1 304 Not Modified\r\n"u8);
        var head = entry.Head;
        var position = StoredHead.FirstField(head);
        while (StoredHead.NextField(head, ref position, out var name, out _, out var line))
        {
            if (KeptIn304(name)) output.Write(line);
        }
        WriteTail(output, entry, added, close, http10, now);
    }

    private static bool KeptIn304(ReadOnlySpan<byte> name) =>
        CacheControl.Is(name, "cache-control"u8) || CacheControl.Is(name, "content-location"u8) || CacheControl.Is(name, "date"u8)
        || CacheControl.Is(name, "etag"u8) || CacheControl.Is(name, "expires"u8) || CacheControl.Is(name, "vary"u8)
        || CacheControl.Is(name, "last-modified"u8);

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
