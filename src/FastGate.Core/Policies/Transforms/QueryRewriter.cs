using FastGate.Proxy;

namespace FastGate.Policies.Transforms;

/// <summary>
/// <c>query = { set = { name = "value" }, remove = ["name"] }</c>: parameters named in either are dropped from the
/// client's query (names compared byte for byte, as sent), then the set ones are appended with their values
/// percent-encoded (everything but RFC 3986 unreserved), so no variable can add a parameter, a fragment or a byte
/// that ends the request line.
/// </summary>
internal sealed class QueryRewriter(HeaderChange[] set, byte[][] remove)
{
    public void Apply(ExchangeContext context, RequestEdits edits)
    {
        var query = context.Request.Query;
        var max = query.Length + 1;
        foreach (var change in set)
        {
            if (!change.Value.TryRender(context, out var value)) value = default;
            max += change.Name.Length + 2 + value.Length * 3;
        }
        var output = edits.QueryBuffer(max);
        var written = 0;
        var rest = query.IsEmpty ? query : query[1..];
        while (!rest.IsEmpty)
        {
            var amp = rest.IndexOf((byte)'&');
            var parameter = amp < 0 ? rest : rest[..amp];
            rest = amp < 0 ? default : rest[(amp + 1)..];
            if (parameter.IsEmpty || IsReplaced(parameter)) continue;
            output[written++] = (byte)'&';
            parameter.CopyTo(output[written..]);
            written += parameter.Length;
        }
        foreach (var change in set)
        {
            output[written++] = (byte)'&';
            change.Name.CopyTo(output[written..]);
            written += change.Name.Length;
            output[written++] = (byte)'=';
            // Rendered again: the first render's buffer may have been reused by the next parameter's.
            if (change.Value.TryRender(context, out var value)) written += Encode(value, output[written..]);
        }
        if (written > 0) output[0] = (byte)'?';
        edits.SetQueryLength(written);
    }

    private bool IsReplaced(ReadOnlySpan<byte> parameter)
    {
        var eq = parameter.IndexOf((byte)'=');
        var name = eq < 0 ? parameter : parameter[..eq];
        foreach (var removed in remove)
        {
            if (name.SequenceEqual(removed)) return true;
        }
        foreach (var change in set)
        {
            if (name.SequenceEqual(change.Name)) return true;
        }
        return false;
    }

    private static int Encode(ReadOnlySpan<byte> value, Span<byte> output)
    {
        var written = 0;
        foreach (var b in value)
        {
            if (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~') output[written++] = b;
            else
            {
                output[written++] = (byte)'%';
                output[written++] = (byte)"0123456789ABCDEF"[b >> 4];
                output[written++] = (byte)"0123456789ABCDEF"[b & 0xF];
            }
        }
        return written;
    }
}
