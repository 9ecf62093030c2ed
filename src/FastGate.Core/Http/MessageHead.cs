namespace FastGate.Http;

/// <summary>
/// What request and response heads share: the head's bytes, copied into a buffer the connection owns and reuses,
/// and its header fields as offsets into them. No strings are made.
/// </summary>
public abstract class MessageHead
{
    private HeaderField[] _fields = new HeaderField[32];

    public byte[] Buffer { get; private set; } = new byte[4096];
    public int Length { get; internal set; }

    /// <summary>0 for HTTP/1.0, 1 for HTTP/1.1.</summary>
    public int VersionMinor { get; internal set; }
    public int FieldCount { get; internal set; }

    /// <summary>-1 when there is no Content-Length.</summary>
    public long ContentLength { get; internal set; }
    public bool Chunked { get; internal set; }
    /// <summary>The sender allows the connection to carry another message.</summary>
    public bool KeepAlive { get; internal set; }

    public ref HeaderField Field(int index) => ref _fields[index];
    public ReadOnlySpan<byte> Name(int index) => Buffer.AsSpan(_fields[index].NameStart, _fields[index].NameLength);
    public ReadOnlySpan<byte> Value(int index) => Buffer.AsSpan(_fields[index].ValueStart, _fields[index].ValueLength);

    internal virtual void Reset()
    {
        Length = 0;
        VersionMinor = 1;
        FieldCount = 0;
        ContentLength = -1;
        Chunked = KeepAlive = false;
    }

    internal Span<byte> EnsureBuffer(int length)
    {
        if (Buffer.Length < length) Buffer = new byte[Math.Max(length, Buffer.Length * 2)];
        return Buffer;
    }

    internal ref HeaderField AddField()
    {
        if (FieldCount == _fields.Length) Array.Resize(ref _fields, _fields.Length * 2);
        ref var f = ref _fields[FieldCount++];
        f = default;
        return ref f;
    }
}
