using System.Buffers;
using System.Runtime.CompilerServices;
using FastGate.Proxy;

namespace FastGate.Telemetry;

/// <summary>
/// The request ID of an exchange (<c>telemetry.request_id_header</c>, X-Request-ID by default): the client's own
/// when it sent exactly one that is a valid ID, otherwise a new random UUID. Every copy the client sent is dropped
/// from the forwarded head; the gateway writes the one ID upstream and back to the client.
/// </summary>
public static class RequestId
{
    /// <summary>Longer IDs from a client are replaced, so a log line or span cannot be bloated through them.</summary>
    public const int MaxLength = 128;

    /// <summary>The length of a generated ID (a UUID in its 8-4-4-4-12 form).</summary>
    public const int GeneratedLength = 36;

    /// <summary>
    /// Token characters (RFC 9110 §5.6.2) and the '/', '=' and ':' of base64 and time stamps: nothing that needs
    /// quoting in a log line, nothing that can end a header field.
    /// </summary>
    public static bool IsValid(ReadOnlySpan<byte> value)
        => !value.IsEmpty && value.Length <= MaxLength && !value.ContainsAnyExcept(Allowed);

    private static readonly SearchValues<byte> Allowed = SearchValues.Create(
        "!#$%&'*+-./0123456789:=ABCDEFGHIJKLMNOPQRSTUVWXYZ^_`abcdefghijklmnopqrstuvwxyz|~"u8);

    /// <summary>Takes the client's ID or makes one, into <paramref name="context"/>; the client's copies are marked dropped.</summary>
    internal static void Assign(ExchangeContext context, ReadOnlySpan<byte> headerName, bool headParsed)
    {
        var destination = context.RequestIdBuffer;
        if (headParsed)
        {
            var head = context.Request;
            int found = -1, count = 0;
            for (var i = 0; i < head.FieldCount; i++)
            {
                ref var field = ref head.Field(i);
                if (field.NameLength != headerName.Length || !System.Text.Ascii.EqualsIgnoreCase(head.Name(i), headerName)) continue;
                field.Drop = true;
                found = i;
                count++;
            }
            if (count == 1 && head.Value(found) is var value && IsValid(value))
            {
                value.CopyTo(destination);
                context.RequestIdLength = value.Length;
                return;
            }
        }
        context.RequestIdLength = Generate(destination);
    }

    /// <summary>Writes a random (version 4) UUID, lower-case hex; returns its length.</summary>
    /// <remarks>
    /// Two draws of the thread's xoshiro generator (<see cref="Random.Shared"/>) and a table lookup per byte: the
    /// nibble-by-nibble formatting this replaced branched on each random nibble and mispredicted about every third.
    /// </remarks>
    public static int Generate(Span<byte> destination)
    {
        if (destination.Length < GeneratedLength) throw new ArgumentException("too small for a request ID", nameof(destination));
        // NextInt64() is uniform over 63 bits: the 126 of two draws cover the UUID's 122 random ones, the second
        // draw's bit 62 giving the top bit of the first half.
        var first = (ulong)Random.Shared.NextInt64();
        var second = (ulong)Random.Shared.NextInt64();
        var high = first | ((second << 1) & 0x8000_0000_0000_0000UL);
        high = (high & 0xFFFF_FFFF_FFFF_0FFFUL) | 0x0000_0000_0000_4000UL; // version 4
        var low = (second & 0x3FFF_FFFF_FFFF_FFFFUL) | 0x8000_0000_0000_0000UL; // variant 10
        ref var at = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(destination);
        WriteHex(ref at, 0, high >> 32, 4);
        Unsafe.Add(ref at, 8) = (byte)'-';
        WriteHex(ref at, 9, high >> 16, 2);
        Unsafe.Add(ref at, 13) = (byte)'-';
        WriteHex(ref at, 14, high, 2);
        Unsafe.Add(ref at, 18) = (byte)'-';
        WriteHex(ref at, 19, low >> 48, 2);
        Unsafe.Add(ref at, 23) = (byte)'-';
        WriteHex(ref at, 24, low, 6);
        return GeneratedLength;
    }

    /// <summary>Writes the low <paramref name="bytes"/> bytes of <paramref name="value"/>, most significant first, as hex at <paramref name="offset"/>.</summary>
    private static void WriteHex(ref byte destination, int offset, ulong value, int bytes)
    {
        for (var i = bytes - 1; i >= 0; i--)
        {
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref destination, offset + 2 * i), HexPairs[(int)(value & 0xFF)]);
            value >>= 8;
        }
    }

    /// <summary>Each byte's two lower-case hex digits, in memory order (first digit in the low byte).</summary>
    private static readonly ushort[] HexPairs = MakeHexPairs();

    private static ushort[] MakeHexPairs()
    {
        var pairs = new ushort[256];
        for (var b = 0; b < 256; b++)
        {
            int first = Hex(b >> 4), second = Hex(b & 0xf);
            pairs[b] = (ushort)(BitConverter.IsLittleEndian ? first | (second << 8) : (first << 8) | second);
        }
        return pairs;
    }

    private static byte Hex(int nibble) => (byte)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
}
