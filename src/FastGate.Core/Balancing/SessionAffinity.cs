using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using FastGate.Http;
using FastGate.Proxy;
using FastGate.Upstreams;

namespace FastGate.Balancing;

/// <summary>
/// Sticky sessions of one cluster (<c>sticky = { ... }</c>). Cookie mode: the gateway sets a cookie whose value is
/// an HMAC of the cluster and destination under a secret key, so a client can keep its destination but not
/// choose one; the values are computed once per config, and a request's cookie is compared with them in constant
/// time (no MAC per request). Header mode: the header's value is hashed over every member by rendezvous hashing,
/// so a value keeps its destination while that destination is available. A client whose destination is gone is
/// redistributed or refused, as <see cref="OnFailure"/> says.
/// </summary>
public sealed class SessionAffinity
{
    public const string DefaultCookie = "fg_route";

    /// <summary>The key used when <c>sticky.secret</c> is not set: random, the same for every config of this process.</summary>
    private static readonly byte[] ProcessKey = RandomNumberGenerator.GetBytes(32);

    /// <summary>A cookie value decodes to the destination's address hash (8 bytes) and a MAC of it (12 bytes).</summary>
    private const int RawLength = 20;

    private readonly byte[] _key;
    private readonly byte[] _macPrefix;
    private volatile MemberCookies _cookies = new([], [], []);

    public SessionAffinity(AffinityMode mode, string name, AffinityFailure onFailure, string? secret, string cluster)
    {
        Mode = mode;
        Name = name;
        NameBytes = Encoding.ASCII.GetBytes(name);
        OnFailure = onFailure;
        _key = string.IsNullOrEmpty(secret) ? ProcessKey : Encoding.UTF8.GetBytes(secret);
        _macPrefix = Encoding.UTF8.GetBytes($"fastgate-sticky\0{cluster}\0");
    }

    /// <summary>The cookie value and Set-Cookie line of each member, in the order of <see cref="Members"/>.</summary>
    private sealed record MemberCookies(DestinationState[] Members, byte[][] Values, byte[][] SetCookie);

    /// <summary>
    /// The cookies of the cluster's members, signed the first time this member list is seen: once per reload or DNS
    /// change, never per request in steady state.
    /// </summary>
    private MemberCookies CookiesOf(DestinationState[] members)
    {
        var cookies = _cookies;
        if (ReferenceEquals(cookies.Members, members)) return cookies;
        var values = new byte[members.Length][];
        var setCookie = new byte[members.Length][];
        Span<byte> raw = stackalloc byte[RawLength];
        for (var i = 0; i < members.Length; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(raw, members[i].Config.AddressHash);
            Sign(raw);
            values[i] = Encoding.ASCII.GetBytes(Base64Url.EncodeToString(raw));
            setCookie[i] = Encoding.ASCII.GetBytes($"{Name}={Encoding.ASCII.GetString(values[i])}; Path=/; HttpOnly; SameSite=Lax");
        }
        return _cookies = new MemberCookies(members, values, setCookie);
    }

    public AffinityMode Mode { get; }
    /// <summary>The cookie's or the header's name.</summary>
    public string Name { get; }
    public byte[] NameBytes { get; }
    public AffinityFailure OnFailure { get; }

    /// <summary>Whether <c>sticky.secret</c> was set (else the cookies are signed with a per-process key).</summary>
    public bool HasSecret => !ReferenceEquals(_key, ProcessKey);

    /// <summary>
    /// The destination the client is tied to when it is available; otherwise the balancer's pick (recording the
    /// cookie to set) or, with <see cref="AffinityFailure.Error"/> for a client whose destination is gone, null
    /// with <paramref name="refused"/> set.
    /// </summary>
    public DestinationState? Pick(ExchangeContext context, Cluster cluster, DestinationState[] available, out bool refused)
    {
        refused = false;
        var cookies = CookiesOf(cluster.State.Members);
        var members = cookies.Members;
        var tied = Mode == AffinityMode.Cookie ? FromCookie(context.Request, cookies.Values) : FromHeader(context.Request, members);
        if (tied != NotTied)
        {
            if (tied >= 0 && Array.IndexOf(available, members[tied]) >= 0) return members[tied];
            if (OnFailure == AffinityFailure.Error)
            {
                refused = true;
                return null;
            }
        }
        var picked = Mode == AffinityMode.Header && tied != NotTied ? Rendezvous.Pick(HeaderHash(context.Request), available) : cluster.State.Balancer.Pick(context, available);
        if (picked is not null && Mode == AffinityMode.Cookie)
        {
            var index = Array.IndexOf(members, picked);
            if (index >= 0) context.AffinityCookie = cookies.SetCookie[index];
        }
        return picked;
    }

    private const int NotTied = -1;
    /// <summary>A cookie this gateway signed for a destination that is no longer a member (removed by a reload).</summary>
    private const int TiedToRemoved = -2;

    /// <summary>
    /// The member whose cookie value the request carries; <see cref="TiedToRemoved"/> for a genuine cookie of a
    /// destination the cluster no longer has; <see cref="NotTied"/> for none, or a forged or foreign one.
    /// </summary>
    private int FromCookie(RequestHead head, byte[][] memberValues)
    {
        for (var i = 0; i < head.FieldCount; i++)
        {
            if (head.Field(i).Known != KnownHeader.Cookie) continue;
            var value = CookieValue(head.Value(i), NameBytes);
            if (value.IsEmpty) continue;
            for (var m = 0; m < memberValues.Length; m++)
            {
                if (CryptographicOperations.FixedTimeEquals(value, memberValues[m])) return m;
            }
            return IsSigned(value) ? TiedToRemoved : NotTied;
        }
        return NotTied;
    }

    /// <summary>Whether a cookie value that matches no member still carries this key's MAC (the slow path: a MAC is computed).</summary>
    private bool IsSigned(ReadOnlySpan<byte> value)
    {
        Span<byte> raw = stackalloc byte[RawLength + 2];
        if (Base64Url.DecodeFromUtf8(value, raw, out var consumed, out var written) != OperationStatus.Done
            || consumed != value.Length || written != RawLength) return false;
        Span<byte> expected = stackalloc byte[RawLength];
        raw[..8].CopyTo(expected);
        Sign(expected);
        return CryptographicOperations.FixedTimeEquals(raw[..RawLength], expected);
    }

    /// <summary>Fills bytes 8..20 of <paramref name="raw"/> with the MAC of its first 8 (the address hash).</summary>
    private void Sign(Span<byte> raw)
    {
        Span<byte> message = stackalloc byte[_macPrefix.Length + 8];
        _macPrefix.CopyTo(message);
        raw[..8].CopyTo(message[_macPrefix.Length..]);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, message, mac);
        mac[..(RawLength - 8)].CopyTo(raw[8..]);
    }

    /// <summary>The member the header's value hashes to among all members (available or not), or -1 without the header.</summary>
    private int FromHeader(RequestHead head, DestinationState[] members)
    {
        var hash = HeaderHash(head);
        if (hash == 0) return NotTied;
        var best = Rendezvous.Pick(hash, members);
        return best is null ? NotTied : Array.IndexOf(members, best);
    }

    private ulong HeaderHash(RequestHead head)
    {
        for (var i = 0; i < head.FieldCount; i++)
        {
            if (head.Field(i).NameLength == NameBytes.Length && Ascii.EqualsIgnoreCase(head.Name(i), NameBytes))
            {
                var value = HttpChars.TrimOws(head.Value(i));
                return value.IsEmpty ? 0 : StableHash.Of(value) | 1;
            }
        }
        return 0;
    }

    /// <summary>The value of cookie <paramref name="name"/> in one Cookie field ("a=1; b=2"), or empty.</summary>
    internal static ReadOnlySpan<byte> CookieValue(ReadOnlySpan<byte> field, ReadOnlySpan<byte> name)
    {
        while (!field.IsEmpty)
        {
            var end = field.IndexOf((byte)';');
            var pair = HttpChars.TrimOws(end < 0 ? field : field[..end]);
            field = end < 0 ? default : field[(end + 1)..];
            if (pair.Length > name.Length && pair[name.Length] == '=' && pair.StartsWith(name)) return pair[(name.Length + 1)..];
        }
        return default;
    }
}
