namespace FastGate.Balancing;

/// <summary><c>sticky.on_failure</c>: what happens when the client's destination is no longer available.</summary>
public enum AffinityFailure
{
    /// <summary>Pick another with the cluster's balancer (and, in cookie mode, set a new cookie).</summary>
    Redistribute,
    /// <summary>Answer 503: the session cannot be served elsewhere.</summary>
    Error,
}
