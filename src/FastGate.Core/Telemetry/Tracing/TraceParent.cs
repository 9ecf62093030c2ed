using System.Buffers.Binary;
using System.Diagnostics;

namespace FastGate.Telemetry.Tracing;

/// <summary>
/// A W3C <c>traceparent</c> (Trace Context Level 1, §3.2): <c>version-traceid-parentid-flags</c> in lower-case
/// hex. Version <c>ff</c>, all-zero IDs, upper-case hex and a version-00 value of any length but 55 are invalid;
/// a later version may carry more after a '-', which is ignored.
/// </summary>
public readonly struct TraceParent
{
    public const int Length = 55;

    // Kept as numbers: an ActivityTraceId or ActivitySpanId holds a hex string, so one is made only when asked
    // for, that is for a sampled exchange.
    private readonly ulong _traceHigh, _traceLow, _span;

    /// <summary>The low 8 bytes of the trace ID (big-endian): the random part that ratio sampling looks at.</summary>
    public ulong TraceIdLow => _traceLow;
    public bool Sampled { get; }
    public bool IsValid { get; }

    public ActivityTraceId TraceId
    {
        get
        {
            Span<byte> bytes = stackalloc byte[16];
            BinaryPrimitives.WriteUInt64BigEndian(bytes, _traceHigh);
            BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], _traceLow);
            return ActivityTraceId.CreateFromBytes(bytes);
        }
    }

    public ActivitySpanId SpanId
    {
        get
        {
            Span<byte> bytes = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(bytes, _span);
            return ActivitySpanId.CreateFromBytes(bytes);
        }
    }

    private TraceParent(ulong traceHigh, ulong traceLow, ulong span, bool sampled)
    {
        _traceHigh = traceHigh;
        _traceLow = traceLow;
        _span = span;
        Sampled = sampled;
        IsValid = true;
    }

    public static bool TryParse(ReadOnlySpan<byte> value, out TraceParent parent)
    {
        parent = default;
        value = Http.HttpChars.TrimOws(value);
        if (value.Length < Length || value[2] != '-' || value[35] != '-' || value[52] != '-') return false;
        if (!IsLowerHex(value[..2]) || !IsLowerHex(value.Slice(3, 32)) || !IsLowerHex(value.Slice(36, 16)) || !IsLowerHex(value.Slice(53, 2)))
            return false;
        if (value[0] == 'f' && value[1] == 'f') return false;
        var version00 = value[0] == '0' && value[1] == '0';
        if (version00 ? value.Length != Length : value.Length > Length && value[Length] != '-') return false;
        ulong high = Hex64(value.Slice(3, 16)), low = Hex64(value.Slice(19, 16)), span = Hex64(value.Slice(36, 16));
        if ((high | low) == 0 || span == 0) return false;
        var flags = HexValue(value[53]) << 4 | HexValue(value[54]);
        parent = new TraceParent(high, low, span, (flags & 1) != 0);
        return true;
    }

    /// <summary>Writes <c>00-{trace}-{span}-01</c> (sampled) into <paramref name="destination"/> (55 bytes).</summary>
    public static void Format(ActivityTraceId traceId, ActivitySpanId spanId, Span<byte> destination)
    {
        Span<byte> raw = stackalloc byte[16];
        "00-"u8.CopyTo(destination);
        traceId.CopyTo(raw);
        WriteHex(raw, destination.Slice(3, 32));
        destination[35] = (byte)'-';
        spanId.CopyTo(raw[..8]);
        WriteHex(raw[..8], destination.Slice(36, 16));
        "-01"u8.CopyTo(destination[52..]);
    }

    private static void WriteHex(ReadOnlySpan<byte> bytes, Span<byte> destination)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            destination[2 * i] = "0123456789abcdef"u8[bytes[i] >> 4];
            destination[2 * i + 1] = "0123456789abcdef"u8[bytes[i] & 0xf];
        }
    }

    private static bool IsLowerHex(ReadOnlySpan<byte> s) => !s.ContainsAnyExcept(LowerHex);

    private static readonly System.Buffers.SearchValues<byte> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef"u8);

    private static ulong Hex64(ReadOnlySpan<byte> hex)
    {
        ulong value = 0;
        foreach (var c in hex) value = value << 4 | (uint)HexValue(c);
        return value;
    }

    private static int HexValue(byte c) => c <= '9' ? c - '0' : c - 'a' + 10;
}
