using System.Buffers;

namespace FastGate.Proxy;

internal static class BufferWriting
{
    public static void WriteField(this IBufferWriter<byte> output, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        var length = name.Length + value.Length + 4;
        var span = output.GetSpan(length);
        name.CopyTo(span);
        span[name.Length] = (byte)':';
        span[name.Length + 1] = (byte)' ';
        value.CopyTo(span[(name.Length + 2)..]);
        span[length - 2] = (byte)'\r';
        span[length - 1] = (byte)'\n';
        output.Advance(length);
    }

    public static void WriteContentLength(this IBufferWriter<byte> output, long length)
    {
        "Content-Length: "u8.CopyTo(output.GetSpan(16));
        output.Advance(16);
        var span = output.GetSpan(22);
        length.TryFormat(span, out var written);
        span[written++] = (byte)'\r';
        span[written++] = (byte)'\n';
        output.Advance(written);
    }
}
