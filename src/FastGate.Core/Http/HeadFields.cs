using System.Buffers.Text;

namespace FastGate.Http;

/// <summary>Field-line rules shared by the request and response parsers (RFC 9112 §5, RFC 9110 §5.5, §8.6).</summary>
internal static class HeadFields
{
    /// <summary>Parses the field lines between the first line and the empty line. Returns false on any invalid line.</summary>
    public static bool ParseAll(MessageHead head, int firstLineEnd)
    {
        var buf = head.Buffer;
        var pos = firstLineEnd;
        var fieldsEnd = head.Length - 2;
        while (pos < fieldsEnd)
        {
            var line = buf.AsSpan(pos, fieldsEnd - pos);
            var lineLength = line.IndexOf("\r\n"u8);
            if (!Parse(head, line[..lineLength], pos)) return false;
            pos += lineLength + 2;
        }
        return true;
    }

    /// <summary>name ":" OWS value OWS — a token name with no whitespace before the colon, no obs-fold, no CTLs.</summary>
    private static bool Parse(MessageHead head, ReadOnlySpan<byte> line, int offset)
    {
        if (line.IsEmpty || line[0] == ' ' || line[0] == '\t') return false;
        var colon = line.IndexOf((byte)':');
        if (colon <= 0) return false;
        var name = line[..colon];
        if (!HttpChars.IsToken(name)) return false;
        var raw = line[(colon + 1)..];
        if (raw.ContainsAny(HttpChars.InvalidFieldValue)) return false;
        var trimmedStart = raw.TrimStart(" \t"u8);
        var value = trimmedStart.TrimEnd(" \t"u8);

        ref var field = ref head.AddField();
        field.NameStart = offset;
        field.NameLength = colon;
        field.ValueStart = offset + colon + 1 + raw.Length - trimmedStart.Length;
        field.ValueLength = value.Length;
        field.Known = KnownHeaders.Lookup(name);
        field.Drop = KnownHeaders.IsHopByHop(field.Known);
        return true;
    }

    /// <summary>Content-Length: 1*DIGIT, possibly repeated as identical list elements or fields.</summary>
    public static bool MergeContentLength(MessageHead head, ReadOnlySpan<byte> value)
    {
        while (true)
        {
            var comma = value.IndexOf((byte)',');
            var element = HttpChars.TrimOws(comma < 0 ? value : value[..comma]);
            if (element.IsEmpty || element.Length > 18 || element.ContainsAnyExceptInRange((byte)'0', (byte)'9')) return false;
            if (!Utf8Parser.TryParse(element, out long length, out _)) return false;
            if (head.ContentLength >= 0 && head.ContentLength != length) return false;
            head.ContentLength = length;
            if (comma < 0) return true;
            value = value[(comma + 1)..];
        }
    }

    /// <summary>Connection tokens: close, keep-alive, upgrade; any other names a field to drop.</summary>
    public static void ScanConnection(ReadOnlySpan<byte> value, ref ConnectionTokens tokens)
    {
        while (!value.IsEmpty)
        {
            var comma = value.IndexOf((byte)',');
            var token = HttpChars.TrimOws(comma < 0 ? value : value[..comma]);
            if (KnownHeaders.Is(token, "close"u8)) tokens.Close = true;
            else if (KnownHeaders.Is(token, "keep-alive"u8)) tokens.KeepAlive = true;
            else if (KnownHeaders.Is(token, "upgrade"u8)) tokens.Upgrade = true;
            else if (!token.IsEmpty) tokens.Other = true;
            if (comma < 0) break;
            value = value[(comma + 1)..];
        }
    }

    /// <summary>Marks for dropping every field named by a Connection token (RFC 9110 §7.6.1).</summary>
    public static void DropFieldsNamedInConnection(MessageHead head)
    {
        for (var i = 0; i < head.FieldCount; i++)
        {
            if (head.Field(i).Known != KnownHeader.Connection) continue;
            var value = head.Value(i);
            while (!value.IsEmpty)
            {
                var comma = value.IndexOf((byte)',');
                var token = HttpChars.TrimOws(comma < 0 ? value : value[..comma]);
                for (var j = 0; j < head.FieldCount && !token.IsEmpty; j++)
                {
                    ref var f = ref head.Field(j);
                    if (f.Known is KnownHeader.Host or KnownHeader.ContentLength or KnownHeader.Upgrade) continue;
                    if (KnownHeaders.Is(head.Name(j), token)) f.Drop = true;
                }
                if (comma < 0) break;
                value = value[(comma + 1)..];
            }
        }
    }
}

internal struct ConnectionTokens
{
    public bool Close, KeepAlive, Upgrade, Other;
}
