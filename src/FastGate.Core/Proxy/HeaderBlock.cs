using System.Buffers;
using FastGate.Http;

namespace FastGate.Proxy;

/// <summary>
/// Header lines a policy adds to a message, encoded once into a buffer that is reused exchange after exchange.
/// Names must be tokens and values may not hold CR, LF or NUL, so nothing added can split a head.
/// </summary>
public sealed class HeaderBlock
{
    private const int MaxKeptBuffer = 8 * 1024;

    private byte[] _buffer = new byte[256];
    private int _length;

    public ReadOnlySpan<byte> Bytes => _buffer.AsSpan(0, _length);

    public bool IsEmpty => _length == 0;

    /// <summary>Appends "name: value\r\n"; false (and nothing added) for a name that is not a token or a value with CR, LF or NUL.</summary>
    public bool Add(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        if (!HttpChars.IsToken(name) || value.IndexOfAny((byte)'\r', (byte)'\n', (byte)0) >= 0) return false;
        var needed = _length + name.Length + value.Length + 4;
        if (needed > _buffer.Length) Array.Resize(ref _buffer, Math.Max(needed, _buffer.Length * 2));
        var span = _buffer.AsSpan(_length);
        name.CopyTo(span);
        span[name.Length] = (byte)':';
        span[name.Length + 1] = (byte)' ';
        value.CopyTo(span[(name.Length + 2)..]);
        span[name.Length + 2 + value.Length] = (byte)'\r';
        span[name.Length + 3 + value.Length] = (byte)'\n';
        _length = needed;
        return true;
    }

    /// <summary>
    /// The value of the next line named <paramref name="name"/> (ASCII case-insensitive) from <paramref name="position"/>
    /// (start at 0), which moves past it; false when there is none.
    /// </summary>
    internal bool TryNext(ReadOnlySpan<byte> name, ref int position, out ReadOnlySpan<byte> value)
    {
        while (position < _length)
        {
            var line = _buffer.AsSpan(position, _length - position);
            var end = line.IndexOf("\r\n"u8);
            line = line[..end];
            position += end + 2;
            var colon = line.IndexOf((byte)':');
            if (colon == name.Length && System.Text.Ascii.EqualsIgnoreCase(line[..colon], name))
            {
                value = line[(colon + 2)..];
                return true;
            }
        }
        value = default;
        return false;
    }

    internal void WriteTo(IBufferWriter<byte> output)
    {
        if (_length > 0) output.Write(Bytes);
    }

    internal void Clear()
    {
        _length = 0;
        if (_buffer.Length > MaxKeptBuffer) _buffer = new byte[256];
    }
}
