using System.Text;

namespace FastGate.Caching;

/// <summary>
/// A purge, parsed: the kind and its value, and for a URL, prefix or glob the host (lower case; null for any) and the
/// path and query it names. A URL is <c>/path?query</c> or <c>http(s)://host/path?query</c>.
/// </summary>
public sealed record PurgeRequest(PurgeKind Kind, string Value, string? Host, byte[] Path, byte[] Query)
{
    public static readonly string[] KindNames = ["url", "prefix", "glob", "tag"];

    /// <summary>The request, or null with <paramref name="error"/> saying why.</summary>
    public static PurgeRequest? Parse(PurgeKind kind, string value, out string? error)
    {
        error = null;
        if (value.Length == 0 || value.Length > 8192 || value.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            error = $"{KindNames[(int)kind]} must be a non-empty line of at most 8192 characters";
            return null;
        }
        if (kind == PurgeKind.Tag)
        {
            if (value.AsSpan().IndexOfAny(' ', ',', '\t') >= 0) error = "a tag has no spaces or commas";
            return error is null ? new PurgeRequest(kind, value, null, [], []) : null;
        }
        var rest = value;
        string? host = null;
        var scheme = rest.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? 7 : rest.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? 8 : 0;
        if (scheme > 0)
        {
            var slash = rest.IndexOfAny(['/', '?'], scheme);
            host = (slash < 0 ? rest[scheme..] : rest[scheme..slash]).ToLowerInvariant();
            rest = slash < 0 ? "/" : rest[slash] == '?' ? "/" + rest[slash..] : rest[slash..];
            if (host.Length == 0)
            {
                error = $"\"{value}\" has no host";
                return null;
            }
        }
        if (!rest.StartsWith('/') && !(kind == PurgeKind.Glob && rest.StartsWith('*')))
        {
            error = $"\"{value}\" is neither a path (\"/...\") nor an http(s) URL";
            return null;
        }
        var question = rest.IndexOf('?');
        var path = question < 0 ? rest : rest[..question];
        var query = question < 0 || kind != PurgeKind.Url ? "" : rest[question..];
        return new PurgeRequest(kind, value, host, Encoding.UTF8.GetBytes(path), Encoding.UTF8.GetBytes(query));
    }

    /// <summary>The form published to other instances: kind, a space, the value.</summary>
    public string Message => $"{KindNames[(int)Kind]} {Value}";

    public static PurgeRequest? FromMessage(string message)
    {
        var space = message.IndexOf(' ');
        if (space < 0) return null;
        var kind = Array.IndexOf(KindNames, message[..space]);
        return kind < 0 ? null : Parse((PurgeKind)kind, message[(space + 1)..], out _);
    }
}
