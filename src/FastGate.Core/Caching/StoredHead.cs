using System.Buffers;
using FastGate.Http;

namespace FastGate.Caching;

/// <summary>
/// The head an entry keeps: the status line and the fields the client got from the upstream (not the dropped or
/// hop-by-hop ones, not Age, not the status header), then Content-Length for a status that has one, added once
/// the body is whole.
/// </summary>
internal static class StoredHead
{
    /// <summary>The status line and fields, without Content-Length (the body's length may not be known yet).</summary>
    public static byte[] Build(ResponseHead response)
    {
        var output = new ArrayBufferWriter<byte>(response.Length + 64);
        output.Write("HTTP/1.1 "u8);
        output.Write(response.StatusAndReason);
        output.Write("\r\n"u8);
        for (var i = 0; i < response.FieldCount; i++)
        {
            ref var field = ref response.Field(i);
            if (field.Drop || field.Known == KnownHeader.ContentLength || CacheControl.Is(response.Name(i), "age"u8)) continue;
            Proxy.BufferWriting.WriteField(output, response.Name(i), response.Value(i));
        }
        return output.WrittenSpan.ToArray();
    }

    /// <summary>The fields with Content-Length appended, for a status that has one.</summary>
    public static byte[] WithLength(byte[] head, int status, long bodyLength)
    {
        if (status == 204) return head;
        var output = new ArrayBufferWriter<byte>(head.Length + 40);
        output.Write(head);
        Proxy.BufferWriting.WriteContentLength(output, bodyLength);
        return output.WrittenSpan.ToArray();
    }
}
