namespace FastGate.Caching;

/// <summary>One fill under way for a key: requests with that key wait on it instead of going upstream too.</summary>
internal sealed class FillSlot
{
    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
