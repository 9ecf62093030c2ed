using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using FastGate.Configuration;
using FastGate.Deadlines;
using FastGate.Http;
using FastGate.Proxy;

namespace FastGate.Caching;

/// <summary>
/// The background refresh of stale-while-revalidate: the request that found the entry stale gets it at once, and a
/// copy of its head runs as an exchange of its own, with no client (a <see cref="DiscardWriter"/> takes the
/// response), through the same route, request policies, attempt loop, pools and breakers. Its lookup leads the fill
/// the trigger took for the key, so concurrent requests start no other; a 304 refreshes the entry, a 200 replaces it.
/// </summary>
internal static class CacheRefresh
{
    private static readonly PipeReader NoBody = PipeReader.Create(ReadOnlySequence<byte>.Empty);

    public static void Start(ExchangeContext trigger, CacheRuntime runtime, CacheEntry stale, FillSlot slot)
    {
        var request = trigger.Request;
        var head = request.Buffer.AsSpan(0, request.Length).ToArray();
        var snapshot = trigger.Snapshot;
        var client = trigger.Client;
        var hash = trigger.Cache.PrimaryHash;
        _ = Task.Run(() => RunAsync(head, snapshot, client, runtime, stale, slot, hash));
    }

    private static async Task RunAsync(byte[] head, GatewaySnapshot snapshot, ClientInfo client, CacheRuntime runtime, CacheEntry stale,
        FillSlot slot, ulong hash)
    {
        var context = new ExchangeContext();
        try
        {
            var deadlines = new PipeDeadlines();
            deadlines.Bind(null, null);
            context.Bind(null, NoBody, new DiscardWriter(), deadlines, client, []);
            context.Begin(snapshot, Stopwatch.GetTimestamp());
            context.RequestParser.Reset();
            context.Request.Reset();
            if (context.RequestParser.TryParse(new ReadOnlySequence<byte>(head), context.Request, snapshot.Limits, out _, out _) != ParseStatus.Complete)
                return;
            context.Cache.RefreshOf = stale;
            context.Cache.RefreshSlot = slot;
            await Exchange.RunAsync(context, ProxyError.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Telemetry.Logging.Log.Error($"cache refresh failed: {ex.Message}");
            UpstreamExchange.DiscardUpstream(context); // a connection the failed exchange still held is not put back
        }
        finally
        {
            // Whatever became of the exchange (a reload removed the route, a policy refused it), the key is free again.
            runtime.Fills.TryRemove(new KeyValuePair<ulong, FillSlot>(hash, slot));
            slot.Done.TrySetResult();
        }
    }
}
