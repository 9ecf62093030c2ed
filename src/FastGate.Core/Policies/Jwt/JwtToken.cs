using System.Buffers;
using FastGate.Http;

namespace FastGate.Policies.Jwt;

/// <summary>Finds a request's token: the named cookie when <c>token_cookie</c> is set, else <c>Authorization: Bearer</c>.</summary>
internal static class JwtToken
{
    /// <summary>A JWS compact serialization is base64url parts separated by dots.</summary>
    private static readonly SearchValues<byte> CompactChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."u8);

    public static bool IsCompact(ReadOnlySpan<byte> token) => !token.IsEmpty && !token.ContainsAnyExcept(CompactChars);

    public static bool TryFind(RequestHead head, byte[]? cookie, out ReadOnlySpan<byte> token) =>
        cookie is null ? TryBearer(head, out token) : TryCookie(head, cookie, out token);

    /// <summary>Exactly one Authorization field, scheme "Bearer" (any case, RFC 6750 2.1), then the token.</summary>
    private static bool TryBearer(RequestHead head, out ReadOnlySpan<byte> token)
    {
        token = default;
        if (!RequestFields.TryGetSingle(head, "Authorization"u8, out var value)) return false;
        if (value.Length <= 7 || !System.Text.Ascii.EqualsIgnoreCase(value[..7], "Bearer "u8)) return false;
        token = HttpChars.TrimOws(value[7..]);
        return !token.IsEmpty;
    }

    /// <summary>The first cookie of that name in any Cookie field (RFC 6265 5.4: "a=b; c=d").</summary>
    private static bool TryCookie(RequestHead head, byte[] name, out ReadOnlySpan<byte> token)
    {
        for (var i = RequestFields.Find(head, "Cookie"u8); i >= 0; i = RequestFields.Find(head, "Cookie"u8, i + 1))
        {
            var list = head.Value(i);
            while (!list.IsEmpty)
            {
                var pair = RequestFields.NextItem(ref list, (byte)';');
                var equals = pair.IndexOf((byte)'=');
                if (equals > 0 && pair[..equals].SequenceEqual(name))
                {
                    token = pair[(equals + 1)..];
                    return !token.IsEmpty;
                }
            }
        }
        token = default;
        return false;
    }
}
