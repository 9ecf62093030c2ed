using FastGate.Http;

namespace FastGate.Proxy;

/// <summary>
/// What a client connection needs to parse and time its exchanges: parsers, heads with their buffers, and the
/// client-side timer. Kept in <see cref="ExchangeStatePool"/> between connections so a new connection costs no
/// garbage for them.
/// </summary>
internal sealed class ExchangeState
{
    /// <summary>State whose buffers grew past this for an unusually large head is not kept.</summary>
    private const int MaxKeptBuffer = 8 * 1024;

    public Http1RequestParser RequestParser { get; } = new();
    public Http1ResponseParser ResponseParser { get; } = new();
    public RequestHead Request { get; } = new();
    public ResponseHead Response { get; } = new();
    public CancellationTokenSource Timer { get; set; } = new();

    /// <summary>Prepares for the next connection; false when this state should be let go instead.</summary>
    public bool TryRecycle()
    {
        if (!Timer.TryReset())
        {
            Timer.Dispose();
            return false;
        }
        RequestParser.Reset();
        ResponseParser.Reset();
        return Request.Buffer.Length <= MaxKeptBuffer && Response.Buffer.Length <= MaxKeptBuffer
            && RequestParser.ScratchLength <= MaxKeptBuffer && ResponseParser.ScratchLength <= MaxKeptBuffer;
    }
}
