using FastGate.Http;

namespace FastGate.Proxy;

/// <summary>
/// What response policies change in the head sent to the client: fields of the upstream's head dropped (by their
/// <see cref="HeaderField.Drop"/> flag, no copy) and lines added. Framing and hop-by-hop fields are the gateway's
/// own and cannot be set here.
/// </summary>
public sealed class ResponseHeaderEdits
{
    private ResponseHead? _upstream;

    public HeaderBlock Added { get; } = new();

    /// <summary>Drops every field of the upstream response named <paramref name="name"/> (ASCII case-insensitive); nothing for a local answer.</summary>
    public void Remove(ReadOnlySpan<byte> name)
    {
        if (_upstream is not { } head) return;
        for (var i = 0; i < head.FieldCount; i++)
        {
            ref var field = ref head.Field(i);
            if (field.NameLength == name.Length && System.Text.Ascii.EqualsIgnoreCase(head.Name(i), name)) field.Drop = true;
        }
    }

    /// <summary>Adds a field; false when the name is not a token, is a framing or hop-by-hop field, or the value has CR, LF or NUL.</summary>
    public bool Add(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        var known = KnownHeaders.Lookup(name);
        if (known == KnownHeader.ContentLength || KnownHeaders.IsHopByHop(known)) return false;
        return Added.Add(name, value);
    }

    /// <summary>Replaces every field named <paramref name="name"/> with one holding <paramref name="value"/>.</summary>
    public bool Set(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        Remove(name);
        return Add(name, value);
    }

    internal void Reset(ResponseHead? upstream)
    {
        _upstream = upstream;
        Added.Clear();
    }
}
