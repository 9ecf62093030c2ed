namespace FastGate.Health;

/// <summary>What one probe found: passed or not, and why in a few words ("200", "refused", "timeout", "status 503").</summary>
public readonly record struct ProbeResult(bool Ok, string Reason)
{
    public static ProbeResult Pass(string reason) => new(true, reason);

    public static ProbeResult Fail(string reason) => new(false, reason);
}
