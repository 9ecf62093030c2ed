using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;

namespace FastGate.SampleUpstream;

/// <summary>
/// Per-connection request framing: finds each request head, answers it, and skips its body
/// (Content-Length or chunked). State survives across reads so a body or a chunk may span batches.
/// </summary>
public sealed class RequestStream
{
    private const int MaxHeadBytes = 64 * 1024;
    private const int MaxLineBytes = 8 * 1024;

    private static ReadOnlySpan<byte> CrlfCrlf => "\r\n\r\n"u8;
    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    private enum State
    {
        Head,
        FixedBody,
        ChunkSize,
        ChunkData,
        Trailers,
    }

    private readonly Responses _responses;
    private State _state = State.Head;
    private long _remaining;

    public RequestStream(Responses responses) => _responses = responses;

    /// <summary>Consumes as much of <paramref name="buffer"/> as it can, writing one response per request head.</summary>
    public StreamOutcome Process(ref ReadOnlySequence<byte> buffer, PipeWriter output, out int responses)
    {
        responses = 0;
        while (true)
        {
            switch (_state)
            {
                case State.Head:
                {
                    if (buffer.IsEmpty)
                    {
                        return StreamOutcome.NeedMoreData;
                    }
                    var reader = new SequenceReader<byte>(buffer);
                    if (!reader.TryReadTo(out ReadOnlySequence<byte> head, CrlfCrlf, advancePastDelimiter: true))
                    {
                        if (buffer.Length > MaxHeadBytes)
                        {
                            output.Write(_responses.HeaderTooLarge);
                            responses++;
                            return StreamOutcome.Close;
                        }
                        return StreamOutcome.NeedMoreData;
                    }
                    buffer = buffer.Slice(reader.Position);

                    if (!RequestHead.TryParse(head, out RequestHead parsed))
                    {
                        output.Write(_responses.BadRequest);
                        responses++;
                        return StreamOutcome.Close;
                    }
                    output.Write(_responses.For(parsed.IsHead, parsed.KeepAlive));
                    responses++;
                    if (!parsed.KeepAlive)
                    {
                        return StreamOutcome.Close;
                    }
                    if (parsed.Chunked)
                    {
                        _state = State.ChunkSize;
                    }
                    else if (parsed.ContentLength > 0)
                    {
                        _remaining = parsed.ContentLength;
                        _state = State.FixedBody;
                    }
                    break;
                }
                case State.FixedBody:
                case State.ChunkData:
                {
                    long skip = Math.Min(_remaining, buffer.Length);
                    buffer = buffer.Slice(skip);
                    _remaining -= skip;
                    if (_remaining > 0)
                    {
                        return StreamOutcome.NeedMoreData;
                    }
                    _state = _state == State.FixedBody ? State.Head : State.ChunkSize;
                    break;
                }
                case State.ChunkSize:
                {
                    if (!TryReadLine(ref buffer, out ReadOnlySequence<byte> line, out bool tooLong))
                    {
                        return tooLong ? StreamOutcome.Close : StreamOutcome.NeedMoreData;
                    }
                    if (!TryParseChunkSize(line, out long size))
                    {
                        return StreamOutcome.Close;
                    }
                    if (size == 0)
                    {
                        _state = State.Trailers;
                    }
                    else
                    {
                        _remaining = size + 2; // chunk data and its trailing CRLF
                        _state = State.ChunkData;
                    }
                    break;
                }
                case State.Trailers:
                {
                    if (!TryReadLine(ref buffer, out ReadOnlySequence<byte> line, out bool tooLong))
                    {
                        return tooLong ? StreamOutcome.Close : StreamOutcome.NeedMoreData;
                    }
                    if (line.IsEmpty)
                    {
                        _state = State.Head;
                    }
                    break;
                }
            }
        }
    }

    private static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line, out bool tooLong)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (reader.TryReadTo(out line, Crlf, advancePastDelimiter: true))
        {
            buffer = buffer.Slice(reader.Position);
            tooLong = false;
            return true;
        }
        tooLong = buffer.Length > MaxLineBytes;
        return false;
    }

    private static bool TryParseChunkSize(ReadOnlySequence<byte> line, out long size)
    {
        size = 0;
        if (line.IsEmpty || line.Length > 64)
        {
            return false;
        }
        Span<byte> copy = stackalloc byte[64];
        line.CopyTo(copy);
        ReadOnlySpan<byte> span = copy[..(int)line.Length];
        int ext = span.IndexOfAny((byte)';', (byte)' ', (byte)'\t');
        if (ext >= 0)
        {
            span = span[..ext];
        }
        return span.Length is > 0 and <= 15
            && Utf8Parser.TryParse(span, out size, out int consumed, 'X')
            && consumed == span.Length;
    }
}
