namespace FastGate.Policies;

/// <summary>What a request policy decided.</summary>
public enum PolicyDecision : byte
{
    /// <summary>Go on to the next policy, then the cache and the upstream.</summary>
    Continue,
    /// <summary>Answer with the exchange's <c>Local</c> response, which the policy has set; no upstream is asked.</summary>
    Respond,
}
