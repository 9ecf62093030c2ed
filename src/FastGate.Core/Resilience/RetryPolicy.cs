using FastGate.Http;
using FastGate.Proxy;

namespace FastGate.Resilience;

/// <summary>
/// A cluster's <c>retry = { ... }</c>, as configured (part of the snapshot): how many attempts, on which failures
/// and statuses, for which methods, the backoff between attempts (exponential, full jitter) and the budget that
/// caps retries at a share of the cluster's requests (<see cref="RetryBudget"/>, runtime state).
/// </summary>
public sealed class RetryPolicy
{
    private readonly bool[] _statuses = new bool[600];

    public RetryPolicy(int attempts, bool onConnectFailure, bool onReset, IEnumerable<int> statuses, HttpMethodSet methods,
        TimeSpan backoff, TimeSpan maxBackoff, double budgetPercent, int maxBody)
    {
        MaxBody = maxBody;
        Attempts = attempts;
        OnConnectFailure = onConnectFailure;
        OnReset = onReset;
        foreach (var status in statuses) _statuses[status] = true;
        Methods = methods;
        Backoff = backoff;
        MaxBackoff = maxBackoff;
        BudgetPercent = budgetPercent;
    }

    /// <summary>The most attempts a policy may ask for.</summary>
    public const int MaxAttempts = 10;

    /// <summary>Attempts in all, the first included.</summary>
    public int Attempts { get; }
    public bool OnConnectFailure { get; }
    public bool OnReset { get; }
    public HttpMethodSet Methods { get; }
    public TimeSpan Backoff { get; }
    public TimeSpan MaxBackoff { get; }
    public double BudgetPercent { get; }
    /// <summary>
    /// <c>max_body</c>: the largest request body kept so it can be sent again (read whole before the first attempt);
    /// a larger one streams and is never retried. 0: requests with a body are never retried.
    /// </summary>
    public int MaxBody { get; }

    public const int DefaultMaxBody = 64 * 1024;

    /// <summary>Retries allowed per second whatever the budget says, so a quiet cluster can still retry.</summary>
    public const double MinRetriesPerSecond = 10;

    public bool RetriesStatus(int status) => (uint)status < (uint)_statuses.Length && _statuses[status];

    /// <summary>Whether an attempt that failed with <paramref name="error"/> (no response reached the client) may be repeated.</summary>
    public bool RetriesFailure(ProxyError error) => error switch
    {
        ProxyError.UpstreamConnectFailed or ProxyError.UpstreamConnectTimeout => OnConnectFailure || RetriesStatus(ProxyErrors.StatusOf(error)),
        ProxyError.UpstreamClosed => OnReset || RetriesStatus(ProxyErrors.StatusOf(error)),
        ProxyError.UpstreamTimeout or ProxyError.UpstreamInvalidResponse or ProxyError.PoolExhausted => RetriesStatus(ProxyErrors.StatusOf(error)),
        _ => false,
    };

    /// <summary>Full jitter: uniform in [0, min(max_backoff, backoff × 2^(retry - 1))].</summary>
    public TimeSpan Delay(int retry)
    {
        var ceiling = Math.Min(MaxBackoff.TotalMilliseconds, Backoff.TotalMilliseconds * Math.Pow(2, Math.Min(30, retry - 1)));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
    }
}
