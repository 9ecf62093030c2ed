using System.IO.Pipelines;

namespace FastGate.Caching;

/// <summary>
/// The cache's per-exchange state, held by the <see cref="Proxy.ExchangeContext"/> and reused: the key being built,
/// what the lookup decided, and the fill when this exchange's response is being stored.
/// </summary>
public sealed class CacheExchange
{
    private byte[] _key = new byte[256];
    private TeeWriter? _tee;

    internal int KeyLength;
    internal int PrimaryLength;
    internal ulong PrimaryHash;
    internal ReadOnlySpan<byte> Key => _key.AsSpan(0, KeyLength);
    internal ReadOnlyMemory<byte> KeyMemory => _key.AsMemory(0, KeyLength);

    /// <summary>The route cache that looked this exchange up; null when none did.</summary>
    internal RouteCache? Owner;
    internal CacheOutcome Outcome;
    internal bool HasAuthorization;
    /// <summary>The response may become an entry (a GET that is not a waiter served by another's fill).</summary>
    internal bool MayStore;
    /// <summary>The fill this exchange leads: others with the same key wait for it.</summary>
    internal FillSlot? Slot;

    /// <summary>The response passed the storage policy: <see cref="Plan"/> describes the entry to be.</summary>
    internal bool Planned;
    internal FillPlan Plan;
    /// <summary>When the response head arrived: freshness and Age count from it.</summary>
    internal long RespondedAt;
    /// <summary>The body is being teed into <see cref="Body"/>.</summary>
    internal bool Filling;
    internal byte[] Body = [];
    internal int BodyLength;
    internal bool Overflow;

    internal void Begin(RouteCache owner)
    {
        Owner = owner;
        Outcome = CacheOutcome.None;
        HasAuthorization = MayStore = Planned = Filling = Overflow = false;
        Slot = null;
        Plan = default;
        Body = [];
        BodyLength = 0;
        KeyLength = PrimaryLength = 0;
    }

    internal void End()
    {
        Owner = null;
        Slot = null;
        Filling = Planned = false;
        Plan = default;
        Body = [];
        _tee?.Release();
    }

    /// <summary>The writer the response body goes through: it writes to <paramref name="inner"/> and copies into the fill.</summary>
    internal PipeWriter Tee(PipeWriter inner) => (_tee ??= new TeeWriter(this)).Wrap(inner);

    internal void Capture(ReadOnlySpan<byte> bytes)
    {
        if (Overflow) return;
        if (bytes.Length > Body.Length - BodyLength)
        {
            Overflow = true;
            return;
        }
        bytes.CopyTo(Body.AsSpan(BodyLength));
        BodyLength += bytes.Length;
        // The entry is published as soon as its last byte is in, before that byte is flushed to this client.
        if (BodyLength == Body.Length) Owner?.CompleteFill(this);
    }

    internal void Append(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Reserve(bytes.Length));

    internal Span<byte> Reserve(int length)
    {
        if (KeyLength + length > _key.Length) Array.Resize(ref _key, Math.Max(_key.Length * 2, KeyLength + length));
        var span = _key.AsSpan(KeyLength, length);
        KeyLength += length;
        return span;
    }
}
