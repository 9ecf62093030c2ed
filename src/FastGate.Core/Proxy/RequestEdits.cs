using FastGate.Http;

namespace FastGate.Proxy;

/// <summary>
/// What request policies change in the head sent upstream: fields of the client's head are dropped by their
/// <see cref="HeaderField.Drop"/> flag (no copy), lines are added, and the path or query may be replaced. Kept in
/// buffers reused exchange after exchange; <see cref="RequestHeadWriter"/> applies them.
/// </summary>
public sealed class RequestEdits
{
    private const int MaxKeptBuffer = 8 * 1024;

    private byte[] _path = [];
    private int _pathLength = -1;
    private byte[] _query = [];
    private int _queryLength = -1;

    /// <summary>Lines added to the forwarded head (names are tokens, values free of CR, LF and NUL).</summary>
    public HeaderBlock Added { get; } = new();

    public bool HasPath => _pathLength >= 0;
    public ReadOnlySpan<byte> Path => _path.AsSpan(0, Math.Max(0, _pathLength));
    public bool HasQuery => _queryLength >= 0;
    /// <summary>The replaced query with its '?', or empty for none.</summary>
    public ReadOnlySpan<byte> Query => _query.AsSpan(0, Math.Max(0, _queryLength));

    public bool IsEmpty => Added.IsEmpty && _pathLength < 0 && _queryLength < 0;

    /// <summary>A buffer of at least <paramref name="length"/> bytes for the new path; <see cref="SetPathLength"/> commits it.</summary>
    public Span<byte> PathBuffer(int length)
    {
        if (_path.Length < length) _path = new byte[Math.Max(length, 256)];
        return _path;
    }

    public void SetPathLength(int length) => _pathLength = length;

    /// <summary>A buffer of at least <paramref name="length"/> bytes for the new query; <see cref="SetQueryLength"/> commits it.</summary>
    public Span<byte> QueryBuffer(int length)
    {
        if (_query.Length < length) _query = new byte[Math.Max(length, 256)];
        return _query;
    }

    public void SetQueryLength(int length) => _queryLength = length;

    internal void Reset()
    {
        Added.Clear();
        _pathLength = _queryLength = -1;
        if (_path.Length > MaxKeptBuffer) _path = [];
        if (_query.Length > MaxKeptBuffer) _query = [];
    }
}
