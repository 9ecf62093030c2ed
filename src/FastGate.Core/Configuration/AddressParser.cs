using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace FastGate.Configuration;

/// <summary>Parses listen addresses, destination addresses and trusted-proxy networks.</summary>
public static class AddressParser
{
    /// <summary>Splits "host:port" or "[ipv6]:port". The host comes back without brackets.</summary>
    public static bool TrySplitHostPort(string text, [NotNullWhen(true)] out string? host, out int port, [NotNullWhen(false)] out string? error)
    {
        host = null;
        port = 0;
        string portText;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf("]:", StringComparison.Ordinal);
            if (close < 0) { error = "expected \"[ipv6]:port\""; return false; }
            host = text[1..close];
            portText = text[(close + 2)..];
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon < 0) { error = "missing \":port\""; return false; }
            host = text[..colon];
            portText = text[(colon + 1)..];
            if (host.Contains(':')) { error = "IPv6 addresses must be written in brackets, e.g. \"[::1]:8080\""; host = null; return false; }
        }
        if (host.Length == 0) { error = "missing host"; host = null; return false; }
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > 65535)
        {
            error = $"bad port \"{portText}\"";
            host = null;
            return false;
        }
        error = null;
        return true;
    }

    /// <summary>"ip:port", "[ipv6]:port", "localhost:port" (loopback) or "*:port" (all IPv4 interfaces). Port 0 picks a free port.</summary>
    public static bool TryParseListen(string text, [NotNullWhen(true)] out IPEndPoint? endPoint, [NotNullWhen(false)] out string? error)
    {
        endPoint = null;
        if (!TrySplitHostPort(text.Trim(), out var host, out var port, out error)) return false;
        IPAddress? address;
        if (host == "*") address = IPAddress.Any;
        else if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) address = IPAddress.Loopback;
        else if (!IPAddress.TryParse(host, out address))
        {
            error = "expected an IP address, localhost or *";
            return false;
        }
        endPoint = new IPEndPoint(address, port);
        return true;
    }

    /// <summary>
    /// "host:port" for an upstream: an IP literal, or a name resolved now to its IPv4 addresses, or its IPv6 ones when
    /// it has none (<see cref="Discovery.HostAddresses.Preferred"/>). Port 0 is not allowed.
    /// </summary>
    public static bool TryResolveDestination(string text, [NotNullWhen(true)] out IPEndPoint[]? endPoints, [NotNullWhen(false)] out string? error)
    {
        endPoints = null;
        if (!TrySplitHostPort(text.Trim(), out var host, out var port, out error)) return false;
        if (port == 0) { error = "port must be 1-65535"; return false; }
        if (IPAddress.TryParse(host, out var address))
        {
            if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)) { error = "cannot connect to the unspecified address"; return false; }
            endPoints = [new IPEndPoint(address, port)];
            return true;
        }
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            endPoints = [new IPEndPoint(IPAddress.Loopback, port)];
            return true;
        }
        IPAddress[] addresses;
        try
        {
            addresses = Discovery.HostAddresses.Preferred(Dns.GetHostAddresses(host));
            if (addresses.Length == 0) { error = $"\"{host}\" has no IP address"; return false; }
        }
        catch (Exception ex) when (ex is SocketException or ArgumentException)
        {
            error = $"cannot resolve \"{host}\": {ex.Message}";
            return false;
        }
        endPoints = Array.ConvertAll(addresses, a => new IPEndPoint(a, port));
        return true;
    }

    /// <summary>The host of "host:port" when it is a name rather than an IP literal; null for a literal or text that is not "host:port".</summary>
    public static string? HostNameOf(string address) =>
        TrySplitHostPort(address.Trim(), out var host, out _, out _) && !IPAddress.TryParse(host, out _) ? host : null;

    /// <summary>An IP (a single-address network) or a CIDR such as "10.0.0.0/8" (host bits must be zero).</summary>
    public static bool TryParseNetwork(string text, out IPNetwork network)
    {
        text = text.Trim();
        if (!text.Contains('/') && IPAddress.TryParse(text, out var address))
        {
            network = new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }
        // IPNetwork.TryParse masks host bits away; "10.0.0.1/8" is more likely a typo than meant as 10.0.0.0/8.
        var slash = text.IndexOf('/');
        return IPNetwork.TryParse(text, out network)
            && slash > 0
            && IPAddress.TryParse(text.AsSpan(0, slash), out var written)
            && network.BaseAddress.Equals(written);
    }
}
