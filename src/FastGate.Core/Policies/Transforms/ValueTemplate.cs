using System.Text;
using FastGate.Http;
using FastGate.Proxy;

namespace FastGate.Policies.Transforms;

/// <summary>
/// A value with variables, parsed once at load: <c>{client_ip}</c>, <c>{request_id}</c>, <c>{route}</c>,
/// <c>{header:NAME}</c>, <c>{claim:NAME}</c>. Rendered per request into a per-thread buffer, so substitution
/// allocates nothing; a rendering that holds a byte a field value may not (CR, LF, NUL, other CTLs, DEL) is
/// refused, and the caller drops the field it was for.
/// </summary>
internal sealed class ValueTemplate
{
    [ThreadStatic] private static byte[]? t_scratch;

    private readonly TemplatePart[] _parts;

    private ValueTemplate(TemplatePart[] parts) => _parts = parts;

    public static ValueTemplate? Parse(string text, out string error)
    {
        error = "";
        var parts = new List<TemplatePart>();
        var literal = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '{')
            {
                if (c == '}' || (c < ' ' && c != '\t') || c > 0x7e)
                {
                    error = c == '}' ? "a '}' without its '{'" : "only printable ASCII is allowed (no CR, LF, NUL or other control characters)";
                    return null;
                }
                literal.Append(c);
                continue;
            }
            var end = text.IndexOf('}', i);
            if (end < 0)
            {
                error = "a '{' without its '}'";
                return null;
            }
            if (Variable(text[(i + 1)..end], out error) is not { } part) return null;
            if (literal.Length > 0) parts.Add(new TemplatePart(VariableKind.Literal, Encoding.ASCII.GetBytes(literal.ToString())));
            literal.Clear();
            parts.Add(part);
            i = end;
        }
        if (literal.Length > 0) parts.Add(new TemplatePart(VariableKind.Literal, Encoding.ASCII.GetBytes(literal.ToString())));
        return new ValueTemplate([.. parts]);
    }

    private static TemplatePart? Variable(string name, out string error)
    {
        error = "";
        switch (name)
        {
            case "client_ip": return new TemplatePart(VariableKind.ClientIp, []);
            case "request_id": return new TemplatePart(VariableKind.RequestId, []);
            case "route": return new TemplatePart(VariableKind.Route, []);
        }
        var colon = name.IndexOf(':');
        var field = colon < 0 ? "" : name[(colon + 1)..];
        var kind = colon < 0 ? "" : name[..colon];
        if (kind is "header" or "claim" && field.Length > 0 && field.All(c => c < 0x7f) && HttpChars.IsToken(Encoding.ASCII.GetBytes(field)))
            return new TemplatePart(kind == "header" ? VariableKind.Header : VariableKind.Claim, Encoding.ASCII.GetBytes(field));
        error = $"unknown variable \"{{{name}}}\" (expected {{client_ip}}, {{request_id}}, {{route}}, {{header:NAME}} or {{claim:NAME}})";
        return null;
    }

    /// <summary>
    /// The value for this exchange, in a per-thread buffer valid until the next render on the thread; false when it
    /// holds a byte not allowed in a field value.
    /// </summary>
    public bool TryRender(ExchangeContext context, out ReadOnlySpan<byte> value)
    {
        var length = 0;
        foreach (var part in _parts) length += Resolve(context, part).Length;
        var scratch = t_scratch;
        if (scratch is null || scratch.Length < length) t_scratch = scratch = new byte[Math.Max(length, 1024)];
        var written = 0;
        foreach (var part in _parts)
        {
            var bytes = Resolve(context, part);
            bytes.CopyTo(scratch.AsSpan(written));
            written += bytes.Length;
        }
        value = scratch.AsSpan(0, written);
        return !value.ContainsAny(HttpChars.InvalidFieldValue);
    }

    private static ReadOnlySpan<byte> Resolve(ExchangeContext context, in TemplatePart part)
    {
        switch (part.Kind)
        {
            case VariableKind.Literal: return part.Bytes;
            case VariableKind.ClientIp: return context.ClientAddress;
            case VariableKind.RequestId: return context.RequestId;
            case VariableKind.Route: return context.Route is { } route ? route.NameBytes : default;
            case VariableKind.Header:
                var index = RequestFields.Find(context.Request, part.Bytes);
                return index >= 0 ? context.Request.Value(index) : default;
            default: return context.Claims is { } claims ? claims.Get(part.Bytes) : default; // empty before a JWT policy validated a token
        }
    }
}
