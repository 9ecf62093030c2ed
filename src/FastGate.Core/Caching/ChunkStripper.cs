namespace FastGate.Caching;

/// <summary>
/// Takes the chunk framing back off what the relay wrote to an HTTP/1.1 client (the gateway's own clean chunks:
/// hex size, CRLF, data, CRLF; a last chunk, trailer lines and an empty line), so a chunked or close-delimited
/// upstream body can be stored as plain bytes.
/// </summary>
internal struct ChunkStripper
{
    private enum State : byte { Size, Extension, SizeLf, Data, DataCr, DataLf, Trailer, Done, Invalid }

    private State _state;
    private long _remaining;
    private bool _lineHasContent;

    public readonly bool Done => _state == State.Done;
    public readonly bool Invalid => _state == State.Invalid;

    public void Reset()
    {
        _state = State.Size;
        _remaining = 0;
        _lineHasContent = false;
    }

    /// <summary>Feeds framed bytes; the data in them goes to <paramref name="sink"/>.</summary>
    public void Feed(ReadOnlySpan<byte> bytes, CacheExchange sink)
    {
        var i = 0;
        while (i < bytes.Length && _state is not (State.Done or State.Invalid))
        {
            var b = bytes[i];
            switch (_state)
            {
                case State.Size:
                    if (b == '\r') _state = State.SizeLf;
                    else if (b == ';') _state = State.Extension;
                    else if (HexValue(b) is var digit and >= 0 && _remaining < (1L << 56)) _remaining = _remaining * 16 + digit;
                    else _state = State.Invalid;
                    i++;
                    break;
                case State.Extension:
                    if (b == '\r') _state = State.SizeLf;
                    i++;
                    break;
                case State.SizeLf:
                    _state = b != '\n' ? State.Invalid : _remaining == 0 ? State.Trailer : State.Data;
                    i++;
                    break;
                case State.Data:
                    var take = (int)Math.Min(_remaining, bytes.Length - i);
                    sink.AppendData(bytes.Slice(i, take));
                    _remaining -= take;
                    i += take;
                    if (_remaining == 0) _state = State.DataCr;
                    break;
                case State.DataCr:
                    _state = b == '\r' ? State.DataLf : State.Invalid;
                    i++;
                    break;
                case State.DataLf:
                    _state = b == '\n' ? State.Size : State.Invalid;
                    i++;
                    break;
                case State.Trailer:
                    // Trailer lines are not stored; the empty line after them ends the body.
                    if (b == '\n')
                    {
                        if (!_lineHasContent) _state = State.Done;
                        _lineHasContent = false;
                    }
                    else if (b != '\r') _lineHasContent = true;
                    i++;
                    break;
            }
        }
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}
