using FastGate.Balancing;
using FastGate.Http;
using FastGate.Upstreams;

namespace FastGate.Configuration;

/// <summary>Binds a cluster's <c>sticky = { mode, cookie | header, on_failure, secret }</c>.</summary>
internal static class StickyBinder
{
    internal static readonly string[] Keys = ["mode", "cookie", "header", "on_failure", "secret"];

    public static SessionAffinity? Bind(ConfigReader reader, string key, ConfigNode node, string cluster)
    {
        if (!reader.TryTable(node, key, Keys, "{ mode = \"cookie\" } or { mode = \"header\", header = \"X-Session\" }")) return null;
        var children = node.Children;
        var before = reader.ErrorCount;

        var mode = AffinityMode.Cookie;
        if (children.TryGetValue("mode", out var child) && reader.TryString(child, $"{key}.mode", out var text))
        {
            if (text == "header") mode = AffinityMode.Header;
            else if (text != "cookie") reader.Error(child, $"{key}.mode", $"unknown mode \"{text}\" (expected \"cookie\" or \"header\")");
        }
        var failure = AffinityFailure.Redistribute;
        if (children.TryGetValue("on_failure", out child) && reader.TryString(child, $"{key}.on_failure", out text))
        {
            if (text == "error") failure = AffinityFailure.Error;
            else if (text != "redistribute") reader.Error(child, $"{key}.on_failure", $"unknown on_failure \"{text}\" (expected \"redistribute\" or \"error\")");
        }

        var name = mode == AffinityMode.Cookie ? SessionAffinity.DefaultCookie : "";
        var nameKey = mode == AffinityMode.Cookie ? "cookie" : "header";
        var otherKey = mode == AffinityMode.Cookie ? "header" : "cookie";
        if (children.TryGetValue(otherKey, out child)) reader.Error(child, $"{key}.{otherKey}", $"\"{otherKey}\" does not apply to mode = \"{(mode == AffinityMode.Cookie ? "cookie" : "header")}\"");
        if (children.TryGetValue(nameKey, out child) && reader.TryString(child, $"{key}.{nameKey}", out text))
        {
            if (!HttpChars.IsToken(System.Text.Encoding.ASCII.GetBytes(text)) || text.Any(c => c > 0x7e))
                reader.Error(child, $"{key}.{nameKey}", $"\"{text}\" is not a valid {nameKey} name (a token: letters, digits and !#$%&'*+-.^_`|~)");
            else name = text;
        }
        else if (mode == AffinityMode.Header && child is null)
            reader.Error(node, $"{key}.header", "mode = \"header\" needs the header to read, e.g. header = \"X-Session\"");

        string? secret = null;
        if (children.TryGetValue("secret", out child) && reader.TryString(child, $"{key}.secret", out text))
        {
            if (mode == AffinityMode.Header) reader.Error(child, $"{key}.secret", "\"secret\" applies to mode = \"cookie\" only");
            else if (text.Length < 16) reader.Error(child, $"{key}.secret", "the secret must be at least 16 characters");
            else secret = text;
        }
        return reader.ErrorCount != before ? null : new SessionAffinity(mode, name, failure, secret, cluster);
    }
}
