using System.Collections.Concurrent;
using System.Text;
using FastGate.Policies;
using FastGate.Proxy;
using FastGate.Telemetry;

namespace FastGate.Tests.Pipeline;

/// <summary>Answers requests whose path starts with <c>/deny</c> itself: 403 with a header and a body of its own.</summary>
internal sealed class DenyPolicy : IRequestPolicy
{
    private static readonly byte[] Body = "denied by policy\n"u8.ToArray();

    public async ValueTask<PolicyDecision> OnRequestAsync(ExchangeContext context)
    {
        if (context.Request.Path.StartsWith("/slow"u8)) await Task.Delay(50); // a policy that suspends
        if (!context.Request.Path.StartsWith("/deny"u8)) return PolicyDecision.Continue;
        context.Local.Set(403);
        context.Local.Headers.Add("X-Denied-By"u8, "test-policy"u8);
        context.Local.Headers.Add("Content-Type"u8, "text/plain"u8);
        context.Local.SetBody(Body);
        return PolicyDecision.Respond;
    }
}

/// <summary>Removes the upstream's X-Secret, sets X-Gateway, and tries (and must fail) to inject framing or CR/LF.</summary>
internal sealed class EditResponsePolicy : IResponsePolicy
{
    public ConcurrentQueue<(bool Framing, bool Injection)> Refusals { get; } = new();

    public void OnResponse(ExchangeContext context)
    {
        context.ResponseEdits.Remove("x-secret"u8);
        context.ResponseEdits.Set("X-Gateway"u8, Encoding.ASCII.GetBytes($"status-{context.Status}-route-{context.Route!.Name}"));
        var framing = context.ResponseEdits.Add("Content-Length"u8, "0"u8);
        var injection = context.ResponseEdits.Add("X-Evil"u8, "a\r\nSet-Cookie: x=y"u8);
        Refusals.Enqueue((!framing, !injection));
    }
}

/// <summary>Records every exchange it is told of.</summary>
internal sealed class RecordingObserver : IExchangeObserver
{
    public ConcurrentQueue<ObservedExchange> Seen { get; } = new();

    public void OnExchangeCompleted(ExchangeContext context) => Seen.Enqueue(new ObservedExchange(
        Encoding.ASCII.GetString(context.Request.Path), context.Status, context.Outcome, context.Error, context.Route?.Name,
        context.Destination?.Config.Address, context.RoutedAt, context.ResponseHeadAt, context.CompletedAt,
        context.RequestBodyBytes, context.ResponseBodyBytes));

    /// <summary>Waits until <paramref name="count"/> exchanges were seen, then a little longer to catch any extra report.</summary>
    public async Task<ObservedExchange[]> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (Seen.Count < count && DateTime.UtcNow < deadline) await Task.Delay(20);
        await Task.Delay(300);
        return Seen.ToArray();
    }
}

internal sealed record ObservedExchange(string Path, int Status, ExchangeOutcome Outcome, ProxyError Error, string? Route,
    string? Destination, long RoutedAt, long ResponseHeadAt, long CompletedAt, long RequestBodyBytes, long ResponseBodyBytes);
