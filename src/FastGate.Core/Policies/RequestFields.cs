using FastGate.Http;

namespace FastGate.Policies;

/// <summary>Lookups of request fields by name for policies (ASCII case-insensitive, no allocation).</summary>
internal static class RequestFields
{
    /// <summary>
    /// The index of the first field named <paramref name="name"/> that still goes upstream, or -1. A field an earlier
    /// policy dropped (a forward_claims header's client copy, a transform's removal) is not seen: policies decide
    /// on the request as the upstream gets it, so a client cannot speak for the gateway through a dropped field.
    /// </summary>
    public static int Find(RequestHead head, ReadOnlySpan<byte> name, int start = 0)
    {
        for (var i = start; i < head.FieldCount; i++)
        {
            if (!head.Field(i).Drop && System.Text.Ascii.EqualsIgnoreCase(head.Name(i), name)) return i;
        }
        return -1;
    }

    /// <summary>The value of the only field named <paramref name="name"/>; false when there is none or more than one.</summary>
    public static bool TryGetSingle(RequestHead head, ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        value = default;
        var index = Find(head, name);
        if (index < 0 || Find(head, name, index + 1) >= 0) return false;
        value = head.Value(index);
        return true;
    }

    /// <summary>The next item of a <paramref name="separator"/>-separated list, trimmed of OWS; the list loses it and its separator.</summary>
    public static ReadOnlySpan<byte> NextItem(scoped ref ReadOnlySpan<byte> list, byte separator)
    {
        var end = list.IndexOf(separator);
        var item = HttpChars.TrimOws(end < 0 ? list : list[..end]);
        list = end < 0 ? default : list[(end + 1)..];
        return item;
    }
}
