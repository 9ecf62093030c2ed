using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace FastGate.SampleUpstream;

/// <summary>The few facts about a request head this server needs: method HEAD?, keep-alive, body framing.</summary>
public readonly struct RequestHead
{
    public bool IsHead { get; init; }
    public bool KeepAlive { get; init; }
    public bool Chunked { get; init; }
    public long ContentLength { get; init; }

    /// <param name="head">The head without its terminating CRLFCRLF.</param>
    public static bool TryParse(ReadOnlySequence<byte> head, out RequestHead result)
    {
        if (head.IsSingleSegment)
        {
            return TryParse(head.FirstSpan, out result);
        }
        byte[] rented = ArrayPool<byte>.Shared.Rent((int)head.Length);
        try
        {
            head.CopyTo(rented);
            return TryParse(rented.AsSpan(0, (int)head.Length), out result);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public static bool TryParse(ReadOnlySpan<byte> head, out RequestHead result)
    {
        result = default;
        int eol = head.IndexOf("\r\n"u8);
        ReadOnlySpan<byte> requestLine = eol < 0 ? head : head[..eol];
        ReadOnlySpan<byte> rest = eol < 0 ? default : head[(eol + 2)..];

        int sp1 = requestLine.IndexOf((byte)' ');
        int sp2 = requestLine.LastIndexOf((byte)' ');
        if (sp1 <= 0 || sp2 <= sp1 + 1)
        {
            return false;
        }
        ReadOnlySpan<byte> method = requestLine[..sp1];
        ReadOnlySpan<byte> version = requestLine[(sp2 + 1)..];
        bool http11 = version.SequenceEqual("HTTP/1.1"u8);
        if (!http11 && !version.SequenceEqual("HTTP/1.0"u8))
        {
            return false;
        }

        bool keepAlive = http11;
        bool chunked = false;
        long contentLength = 0;
        while (!rest.IsEmpty)
        {
            eol = rest.IndexOf("\r\n"u8);
            ReadOnlySpan<byte> line = eol < 0 ? rest : rest[..eol];
            rest = eol < 0 ? default : rest[(eol + 2)..];

            int colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                return false;
            }
            ReadOnlySpan<byte> name = line[..colon];
            ReadOnlySpan<byte> value = line[(colon + 1)..].Trim(" \t"u8);

            if (Ascii.EqualsIgnoreCase(name, "content-length"u8))
            {
                if (!Utf8Parser.TryParse(value, out contentLength, out int consumed)
                    || consumed != value.Length || contentLength < 0)
                {
                    return false;
                }
            }
            else if (Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8))
            {
                // Only a final "chunked" coding frames the body; anything else is not ours to decode.
                chunked = EndsWithIgnoreCase(value, "chunked"u8);
                if (!chunked)
                {
                    return false;
                }
            }
            else if (Ascii.EqualsIgnoreCase(name, "connection"u8))
            {
                if (ContainsIgnoreCase(value, "close"u8))
                {
                    keepAlive = false;
                }
                else if (ContainsIgnoreCase(value, "keep-alive"u8))
                {
                    keepAlive = true;
                }
            }
        }

        result = new RequestHead
        {
            IsHead = method.SequenceEqual("HEAD"u8),
            KeepAlive = keepAlive,
            Chunked = chunked,
            ContentLength = chunked ? 0 : contentLength,
        };
        return true;
    }

    private static bool EndsWithIgnoreCase(ReadOnlySpan<byte> value, ReadOnlySpan<byte> suffix) =>
        value.Length >= suffix.Length && Ascii.EqualsIgnoreCase(value[^suffix.Length..], suffix);

    private static bool ContainsIgnoreCase(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
    {
        for (int i = 0; i + token.Length <= value.Length; i++)
        {
            if (Ascii.EqualsIgnoreCase(value.Slice(i, token.Length), token))
            {
                return true;
            }
        }
        return false;
    }
}
