using System.Buffers;
using FastGate.Http;

namespace FastGate.Caching;

/// <summary>
/// The head an entry keeps: the status line and the fields the client got from the upstream (not the dropped or
/// hop-by-hop ones, not Age, not the status header), then Content-Length for a status that has one.
/// </summary>
internal static class StoredHead
{
    public static byte[] Build(ResponseHead response, long bodyLength)
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
        if (response.StatusCode != 204) Proxy.BufferWriting.WriteContentLength(output, bodyLength);
        return output.WrittenSpan.ToArray();
    }
}
