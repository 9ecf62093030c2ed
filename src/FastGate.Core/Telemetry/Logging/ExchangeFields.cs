using FastGate.Http;

namespace FastGate.Telemetry.Logging;

/// <summary>
/// The parts of an exchange that log lines show as the client sent them: the request line split into method, target
/// and protocol (also for a head the parser refused, as far as it arrived), and the User-Agent and Referer fields.
/// </summary>
internal static class ExchangeFields
{
    /// <summary>Splits the request line at its first and last space; a line without two spaces is all target.</summary>
    public static void SplitRequestLine(RequestHead request, out ReadOnlySpan<byte> method, out ReadOnlySpan<byte> target,
        out ReadOnlySpan<byte> protocol)
    {
        var line = request.RequestLine;
        var first = line.IndexOf((byte)' ');
        var last = line.LastIndexOf((byte)' ');
        if (first <= 0 || last <= first)
        {
            method = protocol = default;
            target = line;
            return;
        }
        method = line[..first];
        target = line[(first + 1)..last];
        protocol = line[(last + 1)..];
    }

    public static ReadOnlySpan<byte> UserAgent(RequestHead request) => Field(request, "user-agent"u8);

    public static ReadOnlySpan<byte> Referer(RequestHead request) => Field(request, "referer"u8);

    /// <summary>The first field named <paramref name="lowerName"/>, or empty.</summary>
    private static ReadOnlySpan<byte> Field(RequestHead request, ReadOnlySpan<byte> lowerName)
    {
        for (var i = 0; i < request.FieldCount; i++)
        {
            ref var field = ref request.Field(i);
            if (field.NameLength == lowerName.Length && KnownHeaders.Is(request.Name(i), lowerName)) return request.Value(i);
        }
        return default;
    }
}
