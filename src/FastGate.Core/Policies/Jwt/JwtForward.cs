namespace FastGate.Policies.Jwt;

/// <summary>One entry of <c>forward_claims</c>: the claim's value is sent upstream as the header.</summary>
internal sealed record JwtForward(string Claim, byte[] ClaimBytes, byte[] Header);
