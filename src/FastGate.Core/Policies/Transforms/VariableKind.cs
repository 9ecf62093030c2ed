namespace FastGate.Policies.Transforms;

/// <summary>What a part of a <see cref="ValueTemplate"/> stands for.</summary>
internal enum VariableKind : byte
{
    Literal,
    /// <summary>The client's address, after trusted-proxy handling (<see cref="Proxy.ExchangeContext.ClientAddress"/>).</summary>
    ClientIp,
    RequestId,
    Route,
    /// <summary>The first request field of that name, or empty.</summary>
    Header,
    /// <summary>A JWT claim: accepted, and empty until JWT policies exist.</summary>
    Claim,
}
