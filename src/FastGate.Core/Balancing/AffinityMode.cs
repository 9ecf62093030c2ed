namespace FastGate.Balancing;

/// <summary><c>sticky.mode</c>: what ties a client to a destination.</summary>
public enum AffinityMode
{
    /// <summary>A cookie the gateway sets, naming the destination by an HMAC only the gateway can make.</summary>
    Cookie,
    /// <summary>A request header (a session or tenant ID), hashed to a destination.</summary>
    Header,
}
