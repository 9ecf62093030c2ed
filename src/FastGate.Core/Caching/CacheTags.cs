using System.Text;
using FastGate.Http;

namespace FastGate.Caching;

/// <summary>The tags an origin gives a response in <c>Surrogate-Key</c> or <c>Cache-Tag</c>: separated by spaces or commas, kept with the entry for a purge by tag.</summary>
internal static class CacheTags
{
    public static string[] Of(ResponseHead response)
    {
        List<string>? tags = null;
        for (var i = 0; i < response.FieldCount; i++)
        {
            var name = response.Name(i);
            if (!CacheControl.Is(name, "surrogate-key"u8) && !CacheControl.Is(name, "cache-tag"u8)) continue;
            var rest = response.Value(i);
            while (!rest.IsEmpty)
            {
                var end = rest.IndexOfAny((byte)' ', (byte)',', (byte)'\t');
                var tag = end < 0 ? rest : rest[..end];
                rest = end < 0 ? default : rest[(end + 1)..];
                if (tag.IsEmpty) continue;
                var text = Encoding.UTF8.GetString(tag);
                tags ??= [];
                if (!tags.Contains(text)) tags.Add(text);
            }
        }
        return tags is null ? [] : [.. tags];
    }
}
