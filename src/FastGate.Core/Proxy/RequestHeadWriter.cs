using System.Buffers;
using FastGate.Http;
using FastGate.Routing;
using FastGate.Upstreams;

namespace FastGate.Proxy;

/// <summary>
/// Re-serializes a parsed request for the upstream: origin-form target with the route's path rewrite, hop-by-hop
/// fields removed, one clean framing field, Host per route, X-Forwarded-* appended.
/// </summary>
internal static class RequestHeadWriter
{
    /// <param name="requestIdHeader">The request-ID field to write (the client's copies are already marked dropped), or empty.</param>
    /// <param name="traceParent">The attempt's <c>traceparent</c> when the exchange is traced (the client's is dropped then), or empty.</param>
    /// <param name="edits">The request policies' path, query and added lines (their removals are drop flags on the head), or null.</param>
    public static void Write(IBufferWriter<byte> output, RequestHead head, Route route, Destination destination, ClientInfo client,
        ReadOnlySpan<byte> requestIdHeader, ReadOnlySpan<byte> requestId, ReadOnlySpan<byte> traceParent = default, RequestEdits? edits = null)
    {
        output.Write(head.MethodBytes);
        output.Write(" "u8);
        WriteTarget(output, head, route, edits);
        output.Write(" HTTP/1.1\r\n"u8);

        var host = head.Authority;
        switch (route.HostHeader)
        {
            case HostHeaderMode.Destination: output.WriteField("Host"u8, destination.AuthorityBytes); break;
            case HostHeaderMode.Fixed: output.WriteField("Host"u8, route.FixedHost); break;
            // An HTTP/1.0 client may send no Host (and any client an empty one), but what goes upstream is HTTP/1.1,
            // which must name one (RFC 9112 §3.2): the destination's, as host_header = "destination" would.
            default: output.WriteField("Host"u8, host.IsEmpty ? destination.AuthorityBytes : host); break;
        }

        var trusted = client.IsTrustedProxy;
        int forwardedFor = -1, forwardedProto = -1, forwardedHost = -1;
        for (var i = 0; i < head.FieldCount; i++)
        {
            ref var field = ref head.Field(i);
            if (field.Drop) continue;
            switch (field.Known)
            {
                case KnownHeader.Host or KnownHeader.ContentLength:
                    continue;
                case KnownHeader.XForwardedFor:
                    if (trusted && forwardedFor < 0) forwardedFor = i;
                    continue;
                case KnownHeader.XForwardedProto:
                    if (trusted && forwardedProto < 0) forwardedProto = i;
                    continue;
                case KnownHeader.XForwardedHost:
                    if (trusted && forwardedHost < 0) forwardedHost = i;
                    continue;
            }
            output.WriteField(head.Name(i), head.Value(i));
        }

        edits?.Added.WriteTo(output);
        if (head.Chunked) output.Write("Transfer-Encoding: chunked\r\n"u8);
        else if (head.ContentLength >= 0) output.WriteContentLength(head.ContentLength);

        if (head.IsUpgrade)
        {
            output.Write("Connection: upgrade\r\n"u8);
            output.WriteField("Upgrade"u8, head.UpgradeValue);
        }

        if (!requestId.IsEmpty) output.WriteField(requestIdHeader, requestId);
        if (!traceParent.IsEmpty) output.WriteField("traceparent"u8, traceParent);
        WriteForwardedFor(output, head, client, forwardedFor);
        output.WriteField("X-Forwarded-Proto"u8, forwardedProto >= 0 ? head.Value(forwardedProto) : client.Scheme);
        if (forwardedHost >= 0) output.WriteField("X-Forwarded-Host"u8, head.Value(forwardedHost));
        else if (!host.IsEmpty) output.WriteField("X-Forwarded-Host"u8, host);
        output.Write("\r\n"u8);
    }

    private static void WriteTarget(IBufferWriter<byte> output, RequestHead head, Route route, RequestEdits? edits)
    {
        if (head.TargetForm == RequestTargetForm.Asterisk)
        {
            output.Write("*"u8);
            return;
        }
        var path = edits is { HasPath: true } ? edits.Path : head.Path;
        if (PathRewriter.Rewrites(route))
        {
            var span = output.GetSpan(PathRewriter.MaxLength(route, path.Length));
            output.Advance(PathRewriter.Rewrite(route, path, span));
        }
        else
        {
            output.Write(path.IsEmpty ? "/"u8 : path); // absolute-form with no path
        }
        output.Write(edits is { HasQuery: true } ? edits.Query : head.Query);
    }

    /// <summary>A trusted proxy's list is kept (all its fields joined) and the client appended; otherwise only the client.</summary>
    private static void WriteForwardedFor(IBufferWriter<byte> output, RequestHead head, ClientInfo client, int first)
    {
        output.Write("X-Forwarded-For: "u8);
        if (first >= 0)
        {
            for (var i = first; i < head.FieldCount; i++)
            {
                if (head.Field(i).Known != KnownHeader.XForwardedFor) continue;
                output.Write(head.Value(i));
                output.Write(", "u8);
            }
        }
        output.Write(client.AddressBytes);
        output.Write("\r\n"u8);
    }
}
