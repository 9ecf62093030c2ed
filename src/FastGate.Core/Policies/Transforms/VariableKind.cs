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
    /// <summary>A claim of the token a JWT policy earlier in the route's list validated, or empty.</summary>
    Claim,
}
