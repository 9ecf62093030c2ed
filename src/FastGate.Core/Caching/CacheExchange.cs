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
    /// <summary>The key buffer's size (a context whose buffer grew for a huge key is not kept).</summary>
    internal int KeyCapacity => _key.Length;

    /// <summary>The route cache that looked this exchange up; null when none did.</summary>
    internal RouteCache? Owner;
    internal CacheOutcome Outcome;
    internal bool HasAuthorization;
    /// <summary>The response may become an entry (a GET that is not a waiter served by another's fill).</summary>
    internal bool MayStore;
    /// <summary>The fill this exchange leads: others with the same key wait for it.</summary>
    internal FillSlot? Slot;
    /// <summary>The request's directives and conditionals, as the lookup read them.</summary>
    internal RequestDirectives Directives;

    /// <summary>The stored response past its freshness that this exchange revalidates or refills (a 304 refreshes it; an error may serve it).</summary>
    internal CacheEntry? Stale;
    /// <summary>The upstream request carries the cache's own If-None-Match / If-Modified-Since for <see cref="Stale"/>.</summary>
    internal bool Conditional;
    /// <summary>The outcome waits for the upstream's answer (revalidated, stale or a new response) to be counted.</summary>
    internal bool OutcomePending;
    /// <summary>The entry the cache answers with after the upstream's response (304 or error) instead of relaying it.</summary>
    internal CacheEntry? Answer;

    /// <summary>A background refresh (stale-while-revalidate): set before its exchange runs, kept across <see cref="Begin"/>.</summary>
    internal CacheEntry? RefreshOf;
    internal FillSlot? RefreshSlot;
    /// <summary>This exchange is a background refresh: nothing is counted, and its "client" is a sink.</summary>
    internal bool Background;

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
        HasAuthorization = MayStore = Planned = Filling = Overflow = Chunked = Conditional = OutcomePending = Background = false;
        Slot = null;
        Stale = Answer = null;
        Directives = default;
        Plan = default;
        Body = [];
        BodyLength = 0;
        KeyLength = PrimaryLength = 0;
    }

    internal void End()
    {
        Owner = null;
        Slot = RefreshSlot = null;
        Stale = Answer = RefreshOf = null;
        Filling = Planned = false;
        Plan = default;
        Body = [];
        _tee?.Release();
    }

    /// <summary>The writer the response body goes through: it writes to <paramref name="inner"/> and copies into the fill.</summary>
    internal PipeWriter Tee(PipeWriter inner) => (_tee ??= new TeeWriter(this)).Wrap(inner);

    /// <summary>The body is chunk-framed toward the client: <see cref="Chunks"/> takes the framing off.</summary>
    internal bool Chunked;
    internal ChunkStripper Chunks;
    /// <summary>The most body bytes the fill takes (the route's max_object_size).</summary>
    internal long MaxBody;

    /// <summary>What the relay wrote to the client; the entry is published as soon as its last byte is in, before that byte is flushed.</summary>
    internal void Capture(ReadOnlySpan<byte> bytes)
    {
        if (Overflow || !Filling) return;
        if (!Chunked)
        {
            AppendData(bytes);
            if (!Overflow && BodyLength == Body.Length) Owner?.CompleteFill(this);
            return;
        }
        Chunks.Feed(bytes, this);
        if (Chunks.Invalid) Overflow = true;
        else if (!Overflow && Chunks.Done) Owner?.CompleteFill(this);
    }

    internal void AppendData(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > Body.Length - BodyLength)
        {
            // A known length is exact; a chunked body grows its buffer up to the limit.
            if (!Chunked || BodyLength + (long)bytes.Length > MaxBody)
            {
                Overflow = true;
                return;
            }
            Array.Resize(ref Body, (int)Math.Min(MaxBody, Math.Max(Body.Length * 2L, BodyLength + (long)bytes.Length)));
        }
        bytes.CopyTo(Body.AsSpan(BodyLength));
        BodyLength += bytes.Length;
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
