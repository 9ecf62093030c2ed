using System.IO.Pipelines;
using FastGate.Configuration;
using FastGate.Deadlines;
using FastGate.Http;
using FastGate.Routing;
using FastGate.Telemetry;
using FastGate.Upstreams;

namespace FastGate.Proxy;

/// <summary>
/// The one place per-request state lives: the parsed heads, what routing and balancing chose, the outcome, phase
/// timestamps and byte counts. A client connection holds one from the first byte of a head to the end of that
/// exchange (longer only while requests follow back to back) and gives it back to the
/// <see cref="ExchangeContextPool"/> while it waits idle, so an exchange allocates nothing and an idle connection
/// holds none of its parsers and buffers.
/// </summary>
public sealed class ExchangeContext
{
    /// <summary>Contexts whose buffers grew past this for an unusually large head are not kept.</summary>
    private const int MaxKeptBuffer = 8 * 1024;

    internal Http1RequestParser RequestParser { get; } = new();
    internal Http1ResponseParser ResponseParser { get; } = new();
    /// <summary>The client connection's deadlines (they outlive the context: the idle wait has one too).</summary>
    internal PipeDeadlines ClientDeadlines { get; private set; } = null!;
    internal RelayProgress RequestBody { get; } = new();
    internal RelayProgress ResponseBody { get; } = new();
    /// <summary>Holds the response body for a client slower than the upstream, so the upstream is freed early.</summary>
    internal Buffering.ResponseSpool ResponseSpool { get; } = new();

    public RequestHead Request { get; } = new();

    /// <summary>The upstream's response head (final or interim) once one arrived.</summary>
    public ResponseHead Response { get; } = new();

    /// <summary>The gateway's own answer, when it gives one.</summary>
    public LocalResponse Local { get; } = new();

    /// <summary>The spans of a sampled exchange (none otherwise).</summary>
    public Telemetry.Tracing.ExchangeTrace Trace { get; } = new();

    /// <summary>The response cache's state for this exchange (key, lookup decision, fill).</summary>
    public Caching.CacheExchange Cache { get; } = new();

    /// <summary>Changes response policies make to the head sent to the client.</summary>
    public ResponseHeaderEdits ResponseEdits { get; } = new();

    /// <summary>Changes request policies make to the head sent upstream.</summary>
    public RequestEdits RequestEdits { get; } = new();

    /// <summary>Gathers a head's writes into one piece of the connection writer's memory.</summary>
    internal HeadBuffer HeadBuffer { get; } = new();

    /// <summary>The verdicts of the route's rate limits, for the RateLimit fields of an allowed response (stamped, never reset).</summary>
    internal Policies.RateLimiting.RateLimitSlot[] RateLimits { get; } = new Policies.RateLimiting.RateLimitSlot[Policies.RateLimiting.RateLimitSlot.PerRoute];

    /// <summary>The claims of the token a JWT policy validated on this exchange; null before one has (or on routes without one).</summary>
    public Policies.Jwt.JwtClaims? Claims { get; internal set; }

    // Per connection.
    internal PipeReader ClientInput { get; private set; } = null!;
    internal PipeWriter ClientOutput { get; private set; } = null!;
    internal ClientInfo Client { get; private set; } = null!;
    /// <summary>The client connection; null for a cache's background refresh, which has no client.</summary>
    internal ClientConnection? Connection { get; private set; }
    /// <summary>The client connection drains: this exchange is its last.</summary>
    internal bool ClientDraining => Connection is { Draining: true };
    internal IExchangeObserver[] Observers { get; private set; } = [];

    // Per exchange.
    /// <summary>The config this exchange runs on from start to end, even if a reload swaps in another meanwhile.</summary>
    public GatewaySnapshot Snapshot { get; internal set; } = null!;
    public Route? Route { get; internal set; }
    /// <summary>The destination of the last attempt.</summary>
    public DestinationState? Destination { get; internal set; }
    internal UpstreamConnection? Upstream { get; set; }
    /// <summary>The exchange's deadline as a <see cref="Deadlines.Heartbeat"/> time (the route's request_timeout), or Never.</summary>
    internal long Deadline { get; set; }

    /// <summary>Upstream attempts made (a retry on a stale pooled connection counts).</summary>
    public int Attempts { get; internal set; }
    public ExchangeOutcome Outcome { get; internal set; }
    public ProxyError Error { get; internal set; }
    /// <summary>Why the head was refused (set by the connection for a head error); body rejections are read from <see cref="Error"/>.</summary>
    public RequestRejection Rejection { get; internal set; }
    /// <summary>The status sent to the client; 0 when none was.</summary>
    public int Status { get; internal set; }

    /// <summary><see cref="System.Diagnostics.Stopwatch"/> timestamps of the phases reached; 0 for a phase not reached.</summary>
    public long StartedAt { get; internal set; }
    public long RoutedAt { get; internal set; }
    public long UpstreamConnectedAt { get; internal set; }
    public long ResponseHeadAt { get; internal set; }
    public long CompletedAt { get; internal set; }

    /// <summary>The exchange's request ID (<see cref="Telemetry.RequestId"/>); empty when request IDs are off.</summary>
    public ReadOnlySpan<byte> RequestId => RequestIdBuffer.AsSpan(0, RequestIdLength);
    internal byte[] RequestIdBuffer { get; } = new byte[Telemetry.RequestId.MaxLength];
    internal int RequestIdLength { get; set; }

    /// <summary>The Set-Cookie value sticky sessions want on this response (a new client, or one moved), or null.</summary>
    internal byte[]? AffinityCookie { get; set; }

    /// <summary>
    /// The client's address as text: the connection's, or from a trusted proxy the last address of its
    /// X-Forwarded-For (the client that proxy saw, as nginx's real_ip without recursion).
    /// </summary>
    public ReadOnlySpan<byte> ClientAddress
    {
        get
        {
            if (!Client.IsTrustedProxy) return Client.AddressBytes;
            for (var i = Request.FieldCount - 1; i >= 0; i--)
            {
                if (Request.Field(i).Known != Http.KnownHeader.XForwardedFor) continue;
                var list = Request.Value(i);
                var last = Http.HttpChars.TrimOws(list[(list.LastIndexOf((byte)',') + 1)..]);
                if (!last.IsEmpty) return last;
            }
            return Client.AddressBytes;
        }
    }

    /// <summary>Request body bytes forwarded upstream (decoded data for a chunked body).</summary>
    public long RequestBodyBytes => RequestBody.Bytes;
    /// <summary>Response body bytes written to the client (data, without chunk framing).</summary>
    public long ResponseBodyBytes => ResponseBody.Bytes;

    /// <summary>The request-body relay of the current attempt, running beside the wait for the response.</summary>
    internal ValueTask<RelayResult> RequestBodyRelay { get; set; }
    /// <summary>A relay that may still be running: the context must not be reused then.</summary>
    internal bool RequestBodyPending { get; set; }
    internal bool SentContinue { get; set; }
    /// <summary>An interim (1xx) response was relayed to the client: the exchange can no longer be retried.</summary>
    internal bool InterimSent { get; set; }

    /// <summary>The destinations of this exchange's attempts so far, in order (a retry avoids them).</summary>
    internal DestinationState?[] Tried { get; } = new DestinationState?[Resilience.RetryPolicy.MaxAttempts];
    /// <summary>Bytes of the client's pipe the whole request body takes, once request buffering saw all of it; else -1.</summary>
    internal long WholeBodyLength { get; set; }
    /// <summary>The request body, read whole and kept so that a retry can send it again (<c>retry.max_body</c>).</summary>
    internal Buffering.KeptRequestBody KeptBody { get; } = new();
    /// <summary>Where the request body relay reads: the client's pipe, or the kept body.</summary>
    internal PipeReader RequestBodySource => KeptBody.IsKept ? KeptBody.Reader : ClientInput;

    /// <summary>The whole request body was read from the client (so none of it is left in the connection).</summary>
    internal bool RequestBodyComplete { get; set; }
    /// <summary>The client connection must not carry another exchange.</summary>
    internal bool CloseConnection { get; set; }
    /// <summary>The client connection must be aborted, not closed gracefully (it stopped reading).</summary>
    internal bool AbortConnection { get; set; }

    /// <summary>Deadlines for a flush to the client alone (no body is read).</summary>
    internal RelayTiming ClientFlushTiming => new(ClientDeadlines, ClientDeadlines, Timeout.InfiniteTimeSpan, Snapshot.Limits.SendTimeout);

    /// <summary>The client did not take bytes within the send timeout: its connection is aborted, not closed.</summary>
    internal void AbortClient()
    {
        Error = ProxyError.ClientSendTimeout;
        AbortConnection = true;
        CloseConnection = true;
    }

    internal void Bind(ClientConnection? connection, PipeReader input, PipeWriter output, PipeDeadlines deadlines, ClientInfo client,
        IExchangeObserver[] observers)
    {
        Connection = connection;
        Observers = observers;
        ClientInput = input;
        ClientOutput = output;
        ClientDeadlines = deadlines;
        Client = client;
    }

    /// <summary>Starts the next exchange of the connection on <paramref name="snapshot"/>.</summary>
    internal void Begin(GatewaySnapshot snapshot, long startedAt)
    {
        Snapshot = snapshot;
        Route = null;
        Destination = null;
        Upstream = null;
        Attempts = 0;
        Outcome = ExchangeOutcome.Pending;
        Error = ProxyError.None;
        Status = 0;
        RequestIdLength = 0;
        AffinityCookie = null;
        Claims = null;
        Deadline = Deadlines.Heartbeat.Never;
        Trace.Reset();
        StartedAt = startedAt;
        RoutedAt = UpstreamConnectedAt = ResponseHeadAt = CompletedAt = 0;
        RequestBody.Reset();
        ResponseBody.Reset();
        RequestBodyRelay = default;
        WholeBodyLength = -1;
        KeptBody.Release();
        SentContinue = InterimSent = CloseConnection = AbortConnection = RequestBodyComplete = false;
        Local.Reset();
        ResponseEdits.Reset(null);
        RequestEdits.Reset();
        ResponseSpool.Reset();
        ClientDeadlines.Clear();
    }

    /// <summary>Clears what one upstream attempt left, before the next attempt of the same exchange.</summary>
    internal void BeginAttempt()
    {
        Error = ProxyError.None;
        Upstream = null;
        UpstreamConnectedAt = ResponseHeadAt = 0;
        RequestBodyRelay = default;
    }

    /// <summary>Prepares for the next holder; false when this context should be let go instead.</summary>
    internal bool TryRecycle()
    {
        RequestParser.Reset();
        ResponseParser.Reset();
        ResponseSpool.Reset();
        KeptBody.Release();
        Cache.End();
        Snapshot = null!;
        Route = null;
        Destination = null;
        Upstream = null;
        Array.Clear(Tried);
        Client = null!;
        Connection = null;
        Observers = [];
        ClientInput = null!;
        ClientOutput = null!;
        ClientDeadlines = null!;
        return Request.Buffer.Length <= MaxKeptBuffer && Response.Buffer.Length <= MaxKeptBuffer && Cache.KeyCapacity <= MaxKeptBuffer
            && RequestParser.ScratchLength <= MaxKeptBuffer && ResponseParser.ScratchLength <= MaxKeptBuffer;
    }
}
