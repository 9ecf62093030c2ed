namespace FastGate.Upstreams;

/// <summary>
/// The timeouts of an exchange's upstream side: connecting (or waiting for a pooled connection), the response head
/// after the request was sent, the longest pause between reads of the response body, and a deadline for the whole
/// exchange counted from its first byte (<see cref="Timeout.InfiniteTimeSpan"/>: none). A cluster's, with a route's
/// overrides applied once at load.
/// </summary>
public sealed record UpstreamTimeouts(TimeSpan Connect, TimeSpan Response, TimeSpan Body, TimeSpan Request)
{
    public static readonly UpstreamTimeouts Default = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), Timeout.InfiniteTimeSpan);
}
