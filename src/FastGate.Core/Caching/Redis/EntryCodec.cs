using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;

namespace FastGate.Caching;

/// <summary>
/// An entry as one Redis value: "FGC1", the full key (first, so a purge scan reads it with one GETRANGE), the status,
/// flags, stored-at and expires-at as Unix milliseconds (Stopwatch timestamps mean nothing to another process), the
/// upstream's Age, the Vary names, the tags, the head and the body. Lengths are 32-bit little-endian.
/// </summary>
internal static class EntryCodec
{
    private static ReadOnlySpan<byte> Magic => "FGC1"u8;
    private const byte AllowsAuthorized = 1, IsMarker = 2;
    /// <summary>Where the key starts: the magic and its length.</summary>
    public const int KeyOffset = 8;

    public static byte[] Encode(CacheEntry entry, long nowTimestamp, long nowUnixMs)
    {
        var tags = Array.ConvertAll(entry.Tags, Encoding.UTF8.GetBytes);
        var vary = entry.VaryNames ?? [];
        var size = KeyOffset + entry.Key.Length + 4 + 1 + 8 + 8 + 8 + 4 + 4 + 4 + entry.Head.Length + 4 + entry.Body.Length;
        foreach (var name in vary) size += 4 + name.Length;
        foreach (var tag in tags) size += 4 + tag.Length;
        var value = new byte[size];
        var span = value.AsSpan();
        Magic.CopyTo(span);
        var at = 4;
        Bytes(span, ref at, entry.Key);
        Int(span, ref at, entry.Status);
        span[at++] = (byte)((entry.AllowsAuthorized ? AllowsAuthorized : 0) | (entry.VaryNames is null ? 0 : IsMarker));
        Long(span, ref at, nowUnixMs - (long)Stopwatch.GetElapsedTime(entry.StoredAt, nowTimestamp).TotalMilliseconds);
        Long(span, ref at, entry.ExpiresAt == long.MaxValue ? long.MaxValue : nowUnixMs + (long)Stopwatch.GetElapsedTime(nowTimestamp, entry.ExpiresAt).TotalMilliseconds);
        Long(span, ref at, entry.InitialAge);
        Int(span, ref at, vary.Length);
        foreach (var name in vary) Bytes(span, ref at, name);
        Int(span, ref at, tags.Length);
        foreach (var tag in tags) Bytes(span, ref at, tag);
        Bytes(span, ref at, entry.Head);
        Bytes(span, ref at, entry.Body);
        return value;
    }

    /// <summary>The stored key of an encoded value (or of its first bytes); false when they do not hold all of it.</summary>
    public static bool TryReadKey(ReadOnlySpan<byte> value, out ReadOnlySpan<byte> key)
    {
        key = default;
        if (value.Length < KeyOffset || !value[..4].SequenceEqual(Magic)) return false;
        var length = BinaryPrimitives.ReadInt32LittleEndian(value[4..]);
        if (length < 0 || length > value.Length - KeyOffset) return false;
        key = value.Slice(KeyOffset, length);
        return true;
    }

    /// <summary>The entry, or null for a value that is not one (another writer's, or cut short).</summary>
    public static CacheEntry? Decode(ReadOnlySpan<byte> value, ulong hash, ulong primary, long nowTimestamp, long nowUnixMs)
    {
        try
        {
            if (!TryReadKey(value, out var key)) return null;
            var at = KeyOffset + key.Length;
            var status = ReadInt(value, ref at);
            var flags = value[at++];
            var storedAt = ReadLong(value, ref at);
            var expiresAt = ReadLong(value, ref at);
            var initialAge = ReadLong(value, ref at);
            var vary = new byte[ReadCount(value, ref at)][];
            for (var i = 0; i < vary.Length; i++) vary[i] = ReadBytes(value, ref at).ToArray();
            var tags = new string[ReadCount(value, ref at)];
            for (var i = 0; i < tags.Length; i++) tags[i] = Encoding.UTF8.GetString(ReadBytes(value, ref at));
            var head = ReadBytes(value, ref at).ToArray();
            var body = ReadBytes(value, ref at).ToArray();
            var ticksPerMs = Stopwatch.Frequency / 1000.0;
            return new CacheEntry
            {
                Hash = hash,
                PrimaryHash = primary,
                Key = key.ToArray(),
                Head = head,
                Body = body,
                Status = status,
                AllowsAuthorized = (flags & AllowsAuthorized) != 0,
                VaryNames = (flags & IsMarker) != 0 ? vary : null,
                Tags = tags,
                StoredAt = nowTimestamp - (long)(Math.Max(0, nowUnixMs - storedAt) * ticksPerMs),
                ExpiresAt = expiresAt == long.MaxValue ? long.MaxValue : nowTimestamp + (long)((expiresAt - nowUnixMs) * ticksPerMs),
                InitialAge = initialAge,
            };
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    private static void Int(Span<byte> span, ref int at, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], value);
        at += 4;
    }

    private static void Long(Span<byte> span, ref int at, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(span[at..], value);
        at += 8;
    }

    private static void Bytes(Span<byte> span, ref int at, ReadOnlySpan<byte> bytes)
    {
        Int(span, ref at, bytes.Length);
        bytes.CopyTo(span[at..]);
        at += bytes.Length;
    }

    private static int ReadInt(ReadOnlySpan<byte> value, ref int at)
    {
        var result = BinaryPrimitives.ReadInt32LittleEndian(value[at..]);
        at += 4;
        return result;
    }

    private static long ReadLong(ReadOnlySpan<byte> value, ref int at)
    {
        var result = BinaryPrimitives.ReadInt64LittleEndian(value[at..]);
        at += 8;
        return result;
    }

    private static int ReadCount(ReadOnlySpan<byte> value, ref int at)
    {
        var count = ReadInt(value, ref at);
        return count is >= 0 and <= 1024 ? count : throw new ArgumentOutOfRangeException(nameof(value));
    }

    private static ReadOnlySpan<byte> ReadBytes(ReadOnlySpan<byte> value, ref int at)
    {
        var length = ReadInt(value, ref at);
        var bytes = value.Slice(at, length);
        at += length;
        return bytes;
    }
}
