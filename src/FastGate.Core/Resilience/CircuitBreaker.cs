using System.Diagnostics;
using FastGate.Telemetry.Logging;
using FastGate.Upstreams;

namespace FastGate.Resilience;

/// <summary>
/// The circuit breaker of one destination (<c>circuit_breaker</c>). Closed: attempts are counted in a
/// <see cref="FailureWindow"/>, and a failure that brings the failure rate to <c>failure_rate</c> % of at least
/// <c>min_requests</c> opens it (out of the available sets). Open: after <c>open_duration</c> a one-shot timer makes it
/// half-open (back in the sets), where <see cref="TryAdmit"/> lets <c>half_open_requests</c> trial requests through
/// and refuses the rest (they go elsewhere); that many successes close it, one failure opens it again. Every
/// transition is a CAS on the state, so exactly one thread makes it.
/// </summary>
public sealed class CircuitBreaker : IPassiveMonitor, IDisposable
{
    private readonly DestinationState _destination;
    private readonly string _cluster;
    private readonly ITimer _timer;
    private readonly FailureWindow _window;
    private readonly long[] _transitions = new long[3];
    private int _state;
    private int _trials;
    private int _trialSuccesses;
    private long _halfOpenAt;
    private volatile bool _disposed;

    public CircuitBreaker(CircuitBreakerPolicy policy, DestinationState destination, string cluster, TimeProvider time)
    {
        Policy = policy;
        _destination = destination;
        _cluster = cluster;
        _window = new FailureWindow(policy.Window);
        _timer = time.CreateTimer(static s => ((CircuitBreaker)s!).HalfOpen(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public CircuitBreakerPolicy Policy { get; }

    public CircuitState State => (CircuitState)Volatile.Read(ref _state);

    /// <summary>When an open breaker goes half-open (a <see cref="Stopwatch"/> timestamp); 0 unless open.</summary>
    public long HalfOpenAt => State == CircuitState.Open ? Volatile.Read(ref _halfOpenAt) : 0;

    /// <summary>Transitions into <paramref name="state"/> since the breaker started.</summary>
    public long TransitionsTo(CircuitState state) => Volatile.Read(ref _transitions[(int)state]);

    /// <summary>Trial requests admitted in the current half-open period.</summary>
    public int Trials => Math.Min(Volatile.Read(ref _trials), Policy.HalfOpenRequests);

    /// <summary>The window's attempts and failures now.</summary>
    public (int Requests, int Failures) WindowCounts(long timestamp)
    {
        _window.Read(timestamp, out var requests, out var failures);
        return (requests, failures);
    }

    public bool TryAdmit(DestinationState destination)
    {
        if (Volatile.Read(ref _state) != (int)CircuitState.HalfOpen) return true;
        // Checked before the increment, so refusals past the limit write nothing.
        return Volatile.Read(ref _trials) < Policy.HalfOpenRequests && Interlocked.Increment(ref _trials) <= Policy.HalfOpenRequests;
    }

    public void OnAttempt(DestinationState destination, AttemptResult result, long timestamp)
    {
        switch ((CircuitState)Volatile.Read(ref _state))
        {
            case CircuitState.Closed:
                if (result == AttemptResult.NotJudged) return;
                var failed = result.IsFailure();
                _window.Record(timestamp, failed);
                if (!failed) return;
                _window.Read(timestamp, out var requests, out var failures);
                if (Policy.Trips(requests, failures))
                    Open(CircuitState.Closed, timestamp, $"{failures} of {requests} attempts failed within {Configuration.DurationParser.Format(Policy.Window)}");
                return;
            case CircuitState.HalfOpen:
                if (result == AttemptResult.NotJudged)
                {
                    // A trial the client cut short told nothing: its place goes to another request.
                    if (Volatile.Read(ref _trials) > 0) Interlocked.Decrement(ref _trials);
                }
                else if (result.IsFailure()) Open(CircuitState.HalfOpen, timestamp, "a trial request failed");
                else if (Interlocked.Increment(ref _trialSuccesses) >= Policy.HalfOpenRequests) Close();
                return;
            default:
                return; // open: attempts begun before it opened (or sent in panic) tell nothing new
        }
    }

    private void Open(CircuitState from, long timestamp, string why)
    {
        if (_disposed || Interlocked.CompareExchange(ref _state, (int)CircuitState.Open, (int)from) != (int)from) return;
        Volatile.Write(ref _halfOpenAt, timestamp + (long)(Policy.OpenDuration.TotalSeconds * Stopwatch.Frequency));
        Interlocked.Increment(ref _transitions[(int)CircuitState.Open]);
        _destination.SetDown(DownReasons.BreakerOpen, true);
        _timer.Change(Policy.OpenDuration, Timeout.InfiniteTimeSpan);
        Log.Warn($"circuit breaker: {_destination.Config.Name} of cluster \"{_cluster}\" opened ({why}); half-open in {Configuration.DurationParser.Format(Policy.OpenDuration)}");
        if (_disposed) _destination.SetDown(DownReasons.BreakerOpen, false);
    }

    private void HalfOpen()
    {
        if (_disposed) return;
        Volatile.Write(ref _trials, 0);
        Volatile.Write(ref _trialSuccesses, 0);
        if (Interlocked.CompareExchange(ref _state, (int)CircuitState.HalfOpen, (int)CircuitState.Open) != (int)CircuitState.Open) return;
        Interlocked.Increment(ref _transitions[(int)CircuitState.HalfOpen]);
        _destination.SetDown(DownReasons.BreakerOpen, false);
        Log.Notice($"circuit breaker: {_destination.Config.Name} of cluster \"{_cluster}\" half-open: up to {Policy.HalfOpenRequests} trial requests");
    }

    private void Close()
    {
        _window.Clear();
        if (Interlocked.CompareExchange(ref _state, (int)CircuitState.Closed, (int)CircuitState.HalfOpen) != (int)CircuitState.HalfOpen) return;
        Interlocked.Increment(ref _transitions[(int)CircuitState.Closed]);
        Log.Notice($"circuit breaker: {_destination.Config.Name} of cluster \"{_cluster}\" closed after {Policy.HalfOpenRequests} successful trial requests");
    }

    /// <summary>Replaced by a reload that changed <c>circuit_breaker</c> (or dropped it): it no longer holds the destination out.</summary>
    public void Dispose()
    {
        _disposed = true;
        _timer.Dispose();
        _destination.SetDown(DownReasons.BreakerOpen, false);
    }
}
