using System.Net;

namespace FastGate.Configuration;

/// <summary>The <c>[admin]</c> listener: where it listens (null: off) and the bearer token its endpoints require ("" for none).</summary>
public sealed record AdminOptions(IPEndPoint? Listen, string Token)
{
    public static readonly IPEndPoint DefaultListen = new(IPAddress.Loopback, 9901);

    public static readonly AdminOptions Default = new(DefaultListen, "");
}
