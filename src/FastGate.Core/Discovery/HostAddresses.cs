using System.Net;
using System.Net.Sockets;

namespace FastGate.Discovery;

/// <summary>Which of a host name's addresses become destinations.</summary>
public static class HostAddresses
{
    /// <summary>
    /// The IPv4 addresses when there are any, else the IPv6 ones (Envoy's <c>V4_PREFERRED</c>), each once and in a
    /// fixed order, so that a resolver answering in rotated order (DNS round robin) does not look like a change.
    /// </summary>
    public static IPAddress[] Preferred(IPAddress[] addresses)
    {
        var family = Array.Exists(addresses, a => a.AddressFamily == AddressFamily.InterNetwork) ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
        var chosen = addresses.Where(a => a.AddressFamily == family && !a.Equals(IPAddress.Any) && !a.Equals(IPAddress.IPv6Any)).Distinct().ToArray();
        Array.Sort(chosen, static (a, b) => a.GetAddressBytes().AsSpan().SequenceCompareTo(b.GetAddressBytes()));
        return chosen;
    }

    /// <summary>Whether two answers (each as <see cref="Preferred"/> returns it) name the same addresses.</summary>
    public static bool Same(IPAddress[] a, IPAddress[] b) => a.SequenceEqual(b);

    public static string Describe(IPAddress[] addresses) => addresses.Length == 0 ? "none" : string.Join(", ", addresses.Select(a => a.ToString()));
}
