using System.Text;
using FastGate.Configuration;

namespace FastGate.Policies.Jwt;

/// <summary>
/// Binds a JWT policy's one key source (<c>secret</c>, <c>public_key_file</c>, <c>jwks_file</c> or <c>jwks</c>) and
/// checks every algorithm against it: HS* only with a secret, RS*/PS* with an RSA key, ES* with an EC key on its
/// curve. This is what rules out HS-with-a-public-key tokens at the root: no public key is ever an HMAC secret.
/// </summary>
internal static class JwtSourceBinder
{
    private const string EnvPrefix = "env:";

    public static IJwtKeySource? Bind(ConfigReader reader, ConfigNode table, string prefix, string[] algorithms)
    {
        var children = table.Children;
        var given = new List<string>();
        foreach (var source in (ReadOnlySpan<string>)["secret", "public_key_file", "jwks_file", "jwks"])
        {
            if (children.ContainsKey(source)) given.Add(source);
        }
        if (given.Count != 1)
        {
            reader.Error(given.Count == 0 ? table : children[given[1]], prefix,
                given.Count == 0 ? "no key source: set one of secret, public_key_file, jwks_file or jwks"
                : $"{string.Join(" and ", given)} are both set: a policy has one key source");
            return null;
        }
        var name = given[0];
        var node = children[name];
        var key = $"{prefix}.{name}";
        if (!children.TryGetValue("jwks_refresh", out var refreshNode)) refreshNode = null;
        else if (name != "jwks") reader.Error(refreshNode, $"{prefix}.jwks_refresh", "applies to jwks (a URL) only");
        if (!reader.TryString(node, key, out var text)) return null;
        switch (name)
        {
            case "secret": return Secret(reader, node, key, text, algorithms);
            case "public_key_file": return PublicKey(reader, node, key, text, algorithms);
            case "jwks_file": return JwksFile(reader, node, key, text, algorithms);
            default: return Jwks(reader, node, key, text, refreshNode, $"{prefix}.jwks_refresh", algorithms);
        }
    }

    private static IJwtKeySource? Secret(ConfigReader reader, ConfigNode node, string key, string text, string[] algorithms)
    {
        if (!OnlyKind(reader, node, key, algorithms, JwtKeyKind.Symmetric, null, "a secret signs HS256/HS384/HS512 only")) return null;
        if (text.StartsWith(EnvPrefix, StringComparison.Ordinal))
        {
            var variable = text[EnvPrefix.Length..];
            var value = variable.Length == 0 ? null : Environment.GetEnvironmentVariable(variable);
            if (string.IsNullOrEmpty(value))
            {
                reader.Error(node, key, $"environment variable \"{variable}\" is not set or empty");
                return null;
            }
            text = value;
        }
        var secret = Encoding.UTF8.GetBytes(text);
        // RFC 7518 3.2: a key of the same size as the hash output or larger MUST be used.
        var needed = algorithms.Length == 0 ? 0 : algorithms.Max(a => int.Parse(a.AsSpan(2), System.Globalization.CultureInfo.InvariantCulture)) / 8;
        if (secret.Length < needed)
        {
            reader.Error(node, key, $"the secret is {secret.Length} bytes; {string.Join("/", algorithms)} need at least {needed} (RFC 7518 3.2)");
            return null;
        }
        return new StaticKeySource(new JwtKeySet([JwtKeyReader.Secret(secret)]));
    }

    private static IJwtKeySource? PublicKey(ConfigReader reader, ConfigNode node, string key, string path, string[] algorithms)
    {
        if (ReadFile(reader, node, key, path) is not { } text) return null;
        if (JwtKeyReader.Pem(text, out var error) is not { } pem)
        {
            reader.Error(node, key, $"{path}: {error}");
            return null;
        }
        var ok = pem.Kind == JwtKeyKind.Rsa
            ? OnlyKind(reader, node, key, algorithms, JwtKeyKind.Rsa, null, "an RSA key verifies RS256/384/512 and PS256/384/512 only")
            : OnlyKind(reader, node, key, algorithms, JwtKeyKind.EllipticCurve, pem.Curve, $"an EC {pem.Curve} key verifies {Es(pem.Curve)} only");
        return ok ? new StaticKeySource(new JwtKeySet([pem])) : null;
    }

    private static IJwtKeySource? JwksFile(ConfigReader reader, ConfigNode node, string key, string path, string[] algorithms)
    {
        if (!NoSymmetric(reader, node, key, algorithms) || ReadFile(reader, node, key, path) is not { } text) return null;
        if (JwtKeyReader.Jwks(text, out var error) is { } keys) return new StaticKeySource(keys);
        reader.Error(node, key, $"{path}: {error}");
        return null;
    }

    private static IJwtKeySource? Jwks(ConfigReader reader, ConfigNode node, string key, string url, ConfigNode? refreshNode, string refreshKey, string[] algorithms)
    {
        if (!NoSymmetric(reader, node, key, algorithms)) return null;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        {
            reader.Error(node, key, $"\"{url}\" is not an http(s) URL");
            return null;
        }
        // Keys fetched in the clear could be swapped by anyone on the path: plain http only to this machine.
        if (uri.Scheme == "http" && !uri.IsLoopback)
        {
            reader.Error(node, key, $"\"{url}\": keys must come over https (plain http only from a loopback address)");
            return null;
        }
        var refresh = TimeSpan.FromMinutes(10);
        if (refreshNode is not null && reader.TryDuration(refreshNode, refreshKey, false, out var configured))
        {
            if (configured < TimeSpan.FromSeconds(1)) reader.Error(refreshNode, refreshKey, "at least 1s");
            refresh = configured;
        }
        return new JwksUrlSource(uri, refresh);
    }

    private static bool NoSymmetric(ConfigReader reader, ConfigNode node, string key, string[] algorithms)
    {
        foreach (var alg in algorithms)
        {
            if (JwtAlgorithms.KeyKind(alg) != JwtKeyKind.Symmetric) continue;
            reader.Error(node, key, $"{alg} needs a shared secret (secret = ...): a JWKS holds public keys, which are never HMAC secrets");
            return false;
        }
        return true;
    }

    private static bool OnlyKind(ConfigReader reader, ConfigNode node, string key, string[] algorithms, JwtKeyKind kind, string? curve, string why)
    {
        var wrong = algorithms.Where(a => JwtAlgorithms.KeyKind(a) != kind || (curve is not null && JwtAlgorithms.Curve(a) != curve)).ToArray();
        if (wrong.Length == 0) return true;
        reader.Error(node, key, $"algorithms {string.Join(", ", wrong)} do not fit this key: {why}");
        return false;
    }

    private static string Es(string? curve) => curve switch { "P-256" => "ES256", "P-384" => "ES384", _ => "ES512" };

    private static string? ReadFile(ConfigReader reader, ConfigNode node, string key, string path)
    {
        var full = Path.IsPathRooted(path) ? path : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(reader.FileName)) ?? "", path);
        try
        {
            return File.ReadAllText(full);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            reader.Error(node, key, $"cannot read \"{full}\": {ex.Message}");
            return null;
        }
    }
}
