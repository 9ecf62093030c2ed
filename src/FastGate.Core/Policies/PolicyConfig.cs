using System.Text;
using FastGate.Configuration;
using FastGate.Http;

namespace FastGate.Policies;

/// <summary>Validation helpers the policy binders share.</summary>
internal static class PolicyConfig
{
    /// <summary>A header name (a token) as ASCII bytes, or null after an error.</summary>
    public static byte[]? HeaderName(ConfigReader reader, ConfigNode node, string key, string name)
    {
        var bytes = Encoding.ASCII.GetBytes(name);
        if (name.Any(c => c > 0x7e) || !HttpChars.IsToken(bytes))
        {
            reader.Error(node, key, $"\"{name}\" is not a header name (letters, digits and !#$%&'*+-.^_`|~)");
            return null;
        }
        return bytes;
    }

    /// <summary>Framing, hop-by-hop and Host fields belong to the gateway: no policy sets or removes them.</summary>
    public static bool IsGatewayOwned(byte[] name)
    {
        var known = KnownHeaders.Lookup(name);
        return known is KnownHeader.Host or KnownHeader.ContentLength or KnownHeader.XForwardedFor
            or KnownHeader.XForwardedProto or KnownHeader.XForwardedHost || KnownHeaders.IsHopByHop(known);
    }

    /// <summary>A list of header names (tokens); null after an error.</summary>
    public static List<byte[]>? HeaderNames(ConfigReader reader, ConfigNode node, string key)
    {
        if (!reader.TryStringList(node, key, out var names)) return null;
        var result = new List<byte[]>();
        var ok = true;
        foreach (var (name, source) in names)
        {
            if (HeaderName(reader, source, key, name) is { } bytes) result.Add(bytes);
            else ok = false;
        }
        return ok ? result : null;
    }
}
