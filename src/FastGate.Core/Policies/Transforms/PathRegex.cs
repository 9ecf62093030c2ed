using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using FastGate.Http;
using FastGate.Proxy;

namespace FastGate.Policies.Transforms;

/// <summary>
/// <c>path_regex = { pattern, replace }</c>: the normalised path is matched (compiled once, non-backtracking, so
/// matching is linear in the path) and the first match replaced (<c>$1</c>, <c>${name}</c>); the route's
/// strip_prefix / add_prefix then apply to the result. A path that does not match is forwarded unchanged.
/// </summary>
internal sealed class PathRegex(Regex regex, string replace)
{
    private const int MaxStackChars = 1024;

    /// <summary>Characters of a path (RFC 3986 pchar, '/' and '%'): a rewritten path with any other is not used.</summary>
    private static readonly SearchValues<char> PathChars = SearchValues.Create(
        "!$%&'()*+,-./0123456789:;=@ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~");

    public static PathRegex? Create(string pattern, string replace, out string error)
    {
        error = "";
        if (replace.Length == 0 || (replace[0] != '/' && replace[0] != '$') || replace.AsSpan().ContainsAnyExcept(ReplaceChars))
        {
            error = "replace must be a path (starting with \"/\" or a $group) of path characters and $1 / ${name} groups";
            return null;
        }
        try
        {
            var regex = new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
            _ = regex.Replace("/", replace); // a reference to a group the pattern lacks is an error now, not per request
            return new PathRegex(regex, replace);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            error = $"invalid pattern: {ex.Message}";
            return null;
        }
    }

    private static readonly SearchValues<char> ReplaceChars = SearchValues.Create(
        "!$%&'()*+,-./0123456789:;=@ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~{}");

    private readonly PathRewriteMemo _memo = new();

    /// <summary>Rewrites <paramref name="path"/> into <paramref name="edits"/>. A path seen recently is answered from the memo
    /// without allocating; a new one runs the regex (which allocates the replaced string) and is remembered.</summary>
    public void Apply(ReadOnlySpan<byte> path, RequestEdits edits)
    {
        if (!_memo.TryGet(path, out var rewritten))
        {
            rewritten = Rewrite(path);
            _memo.Remember(path, rewritten);
        }
        if (rewritten is null) return;
        rewritten.CopyTo(edits.PathBuffer(rewritten.Length));
        edits.SetPathLength(rewritten.Length);
    }

    /// <summary>The rewritten path as bytes, or null when the pattern does not match or the result is not a path.</summary>
    internal byte[]? Rewrite(ReadOnlySpan<byte> path)
    {
        char[]? rented = null;
        var chars = path.Length <= MaxStackChars ? stackalloc char[path.Length] : (rented = ArrayPool<char>.Shared.Rent(path.Length)).AsSpan(0, path.Length);
        try
        {
            Encoding.ASCII.GetChars(path, chars);
            if (!regex.IsMatch(chars)) return null;
            var result = regex.Replace(new string(chars), replace, 1);
            if (result.Length == 0 || result[0] != '/' || result.AsSpan().ContainsAnyExcept(PathChars)) return null;
            return Encoding.ASCII.GetBytes(result);
        }
        finally
        {
            if (rented is not null) ArrayPool<char>.Shared.Return(rented);
        }
    }
}
