using System.Buffers.Text;
using System.Text.Unicode;

namespace FastGate.Telemetry.Logging;

/// <summary>
/// Formats one log line into a span: literals, numbers (<see cref="Utf8Formatter"/>), times and escaped client bytes,
/// without a string or an allocation. A field that does not fit its budget is cut and ends in "..."; anything else
/// that does not fit marks the line as overflowed, and an overflowed line is dropped rather than written broken.
/// </summary>
internal ref struct LineBuilder(Span<byte> buffer)
{
    private const int Ellipsis = 3;

    private readonly Span<byte> _buffer = buffer;
    private int _length;

    public bool Overflowed { get; private set; }

    public readonly int Free => _buffer.Length - _length;

    public readonly ReadOnlySpan<byte> Line => _buffer[.._length];

    public void Append(scoped ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > Free)
        {
            Overflowed = true;
            return;
        }
        bytes.CopyTo(_buffer[_length..]);
        _length += bytes.Length;
    }

    public void Append(byte value)
    {
        if (Free < 1)
        {
            Overflowed = true;
            return;
        }
        _buffer[_length++] = value;
    }

    public void Append(long value)
    {
        if (Utf8Formatter.TryFormat(value, _buffer[_length..], out var written)) _length += written;
        else Overflowed = true;
    }

    /// <summary>Config text (a route or cluster name) as UTF-8, escaped; cut at 256 bytes.</summary>
    public void AppendText(ReadOnlySpan<char> text, LogEscape escape)
    {
        Span<byte> utf8 = stackalloc byte[256];
        Utf8.FromUtf16(text, utf8, out _, out var written);
        AppendEscaped(utf8[..written], escape, utf8.Length);
    }

    /// <summary>A duration in milliseconds with three decimals (microsecond precision), e.g. <c>12.034</c>.</summary>
    public void AppendMilliseconds(long microseconds)
    {
        if (microseconds < 0) microseconds = 0;
        Append(microseconds / 1000);
        Append((byte)'.');
        AppendDigits((int)(microseconds % 1000), 3);
    }

    /// <summary><paramref name="value"/> in exactly <paramref name="digits"/> digits, zero-padded.</summary>
    public void AppendDigits(int value, int digits)
    {
        if (Free < digits)
        {
            Overflowed = true;
            return;
        }
        for (var i = digits - 1; i >= 0; i--)
        {
            _buffer[_length + i] = (byte)('0' + value % 10);
            value /= 10;
        }
        _length += digits;
    }

    /// <summary>
    /// Client bytes, escaped (<see cref="LogEscaping"/>), in at most <paramref name="budget"/> bytes of the line; a
    /// value cut short ends in "...".
    /// </summary>
    public void AppendEscaped(scoped ReadOnlySpan<byte> value, LogEscape escape, int budget)
    {
        budget = Math.Min(budget, Free);
        if (budget < Ellipsis)
        {
            Overflowed = true;
            return;
        }
        var room = _buffer.Slice(_length, budget - Ellipsis);
        int consumed;
        var written = escape switch
        {
            LogEscape.Json => LogEscaping.Json(value, room, out consumed),
            LogEscape.Text => LogEscaping.Text(value, room, out consumed),
            _ => LogEscaping.Combined(value, room, out consumed),
        };
        _length += written;
        if (consumed < value.Length) Append("..."u8);
    }

    /// <summary>A JSON string in quotes, or <c>null</c> for an empty value.</summary>
    public void AppendJsonString(scoped ReadOnlySpan<byte> value, int budget)
    {
        if (value.IsEmpty)
        {
            Append("null"u8);
            return;
        }
        Append((byte)'"');
        AppendEscaped(value, LogEscape.Json, budget);
        Append((byte)'"');
    }

    /// <summary>A time as RFC 3339 in UTC with milliseconds: <c>2026-12-03T10:04:05.123Z</c>.</summary>
    public void AppendRfc3339(DateTime utc)
    {
        Span<byte> round = stackalloc byte[33];
        // "O" gives 7 fractional digits; milliseconds are kept.
        if (!Utf8Formatter.TryFormat(utc, round, out var written, new System.Buffers.StandardFormat('O')) || written < 24)
        {
            Overflowed = true;
            return;
        }
        Append(round[..23]);
        Append((byte)'Z');
    }

    private static ReadOnlySpan<byte> Months => "JanFebMarAprMayJunJulAugSepOctNovDec"u8;

    /// <summary>A time as the combined log format writes it, in UTC: <c>03/Dec/2026:10:04:05 +0000</c>.</summary>
    public void AppendCommonLogTime(DateTime utc)
    {
        AppendDigits(utc.Day, 2);
        Append((byte)'/');
        Append(Months.Slice((utc.Month - 1) * 3, 3));
        Append((byte)'/');
        AppendDigits(utc.Year, 4);
        Append((byte)':');
        AppendDigits(utc.Hour, 2);
        Append((byte)':');
        AppendDigits(utc.Minute, 2);
        Append((byte)':');
        AppendDigits(utc.Second, 2);
        Append(" +0000"u8);
    }
}
