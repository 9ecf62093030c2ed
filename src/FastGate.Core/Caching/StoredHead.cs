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
            if (!Keeps(response, i)) continue;
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

    /// <summary>
    /// The stored head updated from a 304 (RFC 9111 §3.2, §4.3.4): each field the 304 carries replaces the stored
    /// ones of its name and is added; framing fields (Content-Length, Transfer-Encoding), hop-by-hop and dropped ones
    /// and Age are not taken from it.
    /// </summary>
    public static byte[] Updated(byte[] head, ResponseHead notModified)
    {
        var output = new ArrayBufferWriter<byte>(head.Length + notModified.Length);
        var position = FirstField(head);
        output.Write(head.AsSpan(0, position));
        while (NextField(head, ref position, out var name, out _, out var line))
        {
            if (!Replaces(notModified, name)) output.Write(line);
        }
        for (var i = 0; i < notModified.FieldCount; i++)
        {
            if (Keeps(notModified, i) && notModified.Field(i).Known != KnownHeader.TransferEncoding)
                Proxy.BufferWriting.WriteField(output, notModified.Name(i), notModified.Value(i));
        }
        return output.WrittenSpan.ToArray();
    }

    /// <summary>The value of the first stored field named <paramref name="name"/> (lower case); false when there is none.</summary>
    public static bool TryGetField(ReadOnlySpan<byte> head, ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        var position = FirstField(head);
        while (NextField(head, ref position, out var field, out value, out _))
        {
            if (CacheControl.Is(field, name)) return true;
        }
        value = default;
        return false;
    }

    /// <summary>Where the fields start: after the status line.</summary>
    public static int FirstField(ReadOnlySpan<byte> head)
    {
        var end = head.IndexOf("\r\n"u8);
        return end < 0 ? head.Length : end + 2;
    }

    /// <summary>The stored field at <paramref name="position"/> ("Name: value\r\n"): its name, value and whole line; false at the end.</summary>
    public static bool NextField(ReadOnlySpan<byte> head, scoped ref int position, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value,
        out ReadOnlySpan<byte> line)
    {
        while (position < head.Length)
        {
            var rest = head[position..];
            var end = rest.IndexOf("\r\n"u8);
            if (end < 0) end = rest.Length;
            line = rest[..Math.Min(rest.Length, end + 2)];
            position += line.Length;
            var text = rest[..end];
            var colon = text.IndexOf((byte)':');
            if (colon < 0) continue;
            name = text[..colon];
            value = HttpChars.TrimOws(text[(colon + 1)..]);
            return true;
        }
        name = value = line = default;
        return false;
    }

    /// <summary>A field of the upstream's head that a stored head holds.</summary>
    private static bool Keeps(ResponseHead response, int i)
    {
        ref var field = ref response.Field(i);
        return !field.Drop && field.Known != KnownHeader.ContentLength && !CacheControl.Is(response.Name(i), "age"u8);
    }

    /// <summary>The 304 carries a field of this name that replaces the stored ones.</summary>
    private static bool Replaces(ResponseHead notModified, ReadOnlySpan<byte> name)
    {
        for (var i = 0; i < notModified.FieldCount; i++)
        {
            if (CacheControl.Is(notModified.Name(i), name) && Keeps(notModified, i) && notModified.Field(i).Known != KnownHeader.TransferEncoding)
                return true;
        }
        return false;
    }
}
