using System.Buffers;
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
    public static int Generate(Span<byte> destination)
    {
        Span<byte> random = stackalloc byte[16];
        Random.Shared.NextBytes(random);
        random[6] = (byte)((random[6] & 0x0f) | 0x40);
        random[8] = (byte)((random[8] & 0x3f) | 0x80);
        var at = 0;
        for (var i = 0; i < 16; i++)
        {
            if (i is 4 or 6 or 8 or 10) destination[at++] = (byte)'-';
            destination[at++] = Hex(random[i] >> 4);
            destination[at++] = Hex(random[i] & 0xf);
        }
        return at;
    }

    private static byte Hex(int nibble) => (byte)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
}
