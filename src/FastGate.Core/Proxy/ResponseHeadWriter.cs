using System.Buffers;
using FastGate.Http;

namespace FastGate.Proxy;

/// <summary>How the gateway frames a response body toward its client.</summary>
internal enum ClientFraming : byte
{
    None,
    ContentLength,
    /// <summary>Chunked, from an upstream's chunks or re-framing a close-delimited body.</summary>
    Chunked,
    /// <summary>Raw bytes until the gateway closes the client connection (HTTP/1.0 clients).</summary>
    Close,
}

/// <summary>Writes an upstream's response head to the client with hop-by-hop fields removed and the gateway's framing.</summary>
internal static class ResponseHeadWriter
{
    public static ClientFraming ChooseFraming(ResponseHead response, bool clientIsHttp11)
        => response.Framing switch
        {
            ResponseFraming.None => ClientFraming.None,
            ResponseFraming.ContentLength => ClientFraming.ContentLength,
            _ => clientIsHttp11 ? ClientFraming.Chunked : ClientFraming.Close,
        };

    /// <summary>
    /// Chunked, or the upstream's own codings when it named more than chunked ("gzip, chunked"): the chunks are
    /// re-framed but their content is passed as is, so its codings must stay declared.
    /// </summary>
    private static void WriteTransferEncoding(IBufferWriter<byte> output, ResponseHead response)
    {
        if (!response.HasOtherTransferCodings || response.Framing != ResponseFraming.Chunked)
        {
            output.Write("Transfer-Encoding: chunked\r\n"u8);
            return;
        }
        for (var i = 0; i < response.FieldCount; i++)
            if (response.Field(i).Known == KnownHeader.TransferEncoding) output.WriteField(response.Name(i), response.Value(i));
    }

    /// <param name="connection">The Connection field for the client: "close", "keep-alive" (HTTP/1.0 clients) or none.</param>
    /// <param name="extra">Lines the response policies added, or null.</param>
    public static void Write(IBufferWriter<byte> output, ResponseHead response, ClientFraming framing,
        ReadOnlySpan<byte> connection, bool upgrade, HeaderBlock? extra)
    {
        output.Write("HTTP/1.1 "u8);
        output.Write(response.StatusAndReason);
        output.Write("\r\n"u8);
        for (var i = 0; i < response.FieldCount; i++)
        {
            ref var field = ref response.Field(i);
            if (field.Known == KnownHeader.ContentLength) continue;
            if (field.Drop && !(upgrade && field.Known == KnownHeader.Upgrade)) continue;
            output.WriteField(response.Name(i), response.Value(i));
        }
        extra?.WriteTo(output);
        if (framing == ClientFraming.ContentLength || (framing == ClientFraming.None && KeepsContentLength(response)))
            output.WriteContentLength(response.ContentLength);
        else if (framing == ClientFraming.Chunked) WriteTransferEncoding(output, response);
        if (upgrade) output.Write("Connection: upgrade\r\n"u8);
        else if (!connection.IsEmpty) output.WriteField("Connection"u8, connection);
        output.Write("\r\n"u8);
    }

    /// <summary>
    /// A bodyless HEAD or 304 response's Content-Length describes the body a GET would get (RFC 9110 §8.6), so it is
    /// forwarded; 1xx and 204 must not carry one.
    /// </summary>
    private static bool KeepsContentLength(ResponseHead response)
        => response.ContentLength >= 0 && response.StatusCode >= 200 && response.StatusCode != 204;
}
