using System.Diagnostics;
using FastGate.Http;
using FastGate.Proxy;

namespace FastGate.Policies.Jwt;

/// <summary>
/// A JWT policy on a route (phase 3). The token (Authorization: Bearer, or the <c>token_cookie</c>) is looked up in
/// the validation cache by its hash; a hit costs that lookup and allocates nothing, a miss runs
/// <see cref="JwtValidator"/> and caches a valid token until its exp. No token: 401 <c>WWW-Authenticate: Bearer</c>
/// (RFC 6750 3.1); an invalid one: 401 <c>Bearer error="invalid_token"</c>; a valid one without a required claim or
/// scope: 403 <c>Bearer error="insufficient_scope"</c>. Incoming copies of the forward_claims headers are always
/// removed; a valid token's claims are on <see cref="ExchangeContext.Claims"/> for later policies.
/// </summary>
internal sealed class JwtPolicy(JwtDefinition definition) : IRequestPolicy
{
    /// <summary>Longer tokens are refused unread; real ones are a few KiB at most.</summary>
    public const int MaxToken = 16 * 1024;

    private static readonly ValueTask<PolicyDecision> Continue = new(PolicyDecision.Continue);
    private static readonly ValueTask<PolicyDecision> Respond = new(PolicyDecision.Respond);

    public JwtDefinition Definition { get; } = definition;

    public ValueTask<PolicyDecision> OnRequestAsync(ExchangeContext context)
    {
        var head = context.Request;
        var options = Definition.Options;
        foreach (var forward in options.Forward) Drop(head, forward.Header);
        if (!JwtToken.TryFind(head, options.Cookie, out var token)) return Unauthorized(context, "Bearer"u8);
        if (token.Length > MaxToken || !JwtToken.IsCompact(token)) return Unauthorized(context, InvalidToken);

        var hash = JwtCache.Hash(token);
        var entry = Definition.Cache.Get(token, hash, Stopwatch.GetTimestamp(), Definition.Source.Keys);
        return entry is not null ? Apply(context, entry) : ValidateAsync(context, token.ToArray(), hash);
    }

    private static ReadOnlySpan<byte> InvalidToken => "Bearer error=\"invalid_token\""u8;

    private async ValueTask<PolicyDecision> ValidateAsync(ExchangeContext context, byte[] token, ulong hash)
    {
        var entry = await Definition.Validator.ValidateAsync(token, hash).ConfigureAwait(false);
        if (entry is null) return Unauthorized(context, InvalidToken).Result;
        Definition.Cache.Add(entry);
        return Apply(context, entry).Result;
    }

    private ValueTask<PolicyDecision> Apply(ExchangeContext context, JwtCacheEntry entry)
    {
        if (entry.Verdict != JwtVerdict.Allowed)
        {
            context.Local.Set(403);
            context.Local.Headers.Add("WWW-Authenticate"u8, Definition.Forbidden);
            return Respond;
        }
        context.Claims = entry.Claims;
        var forward = Definition.Options.Forward;
        var values = entry.Forwarded;
        for (var i = 0; i < forward.Length; i++)
        {
            if (values[i] is { } value) context.RequestEdits.Added.Add(forward[i].Header, value);
        }
        return Continue;
    }

    private static ValueTask<PolicyDecision> Unauthorized(ExchangeContext context, ReadOnlySpan<byte> challenge)
    {
        context.Local.Set(401);
        context.Local.Headers.Add("WWW-Authenticate"u8, challenge);
        return Respond;
    }

    private static void Drop(RequestHead head, byte[] name)
    {
        for (var i = RequestFields.Find(head, name); i >= 0; i = RequestFields.Find(head, name, i + 1)) head.Field(i).Drop = true;
    }
}
