namespace FastGate.Resilience;

/// <summary>A cluster's <c>bulkhead = { max_concurrent, max_queue, queue_timeout }</c>, as configured.</summary>
public sealed record BulkheadPolicy(int MaxConcurrent, int MaxQueue, TimeSpan QueueTimeout);
