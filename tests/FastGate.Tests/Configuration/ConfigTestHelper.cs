using FastGate.Configuration;

namespace FastGate.Tests.Configuration;

internal static class ConfigTestHelper
{
    public static ConfigResult Load(string toml, Dictionary<string, string>? env = null) =>
        ConfigLoader.LoadText(toml.ReplaceLineEndings("\n"), "config.toml", env);

    public static GatewaySnapshot Valid(string toml, Dictionary<string, string>? env = null)
    {
        var result = Load(toml, env);
        Assert.True(result.Success, result.ErrorText);
        Assert.Empty(result.Errors);
        return result.Snapshot!;
    }

    /// <summary>Asserts exactly one error and returns it.</summary>
    public static ConfigError SingleError(string toml, Dictionary<string, string>? env = null)
    {
        var result = Load(toml, env);
        Assert.Null(result.Snapshot);
        return Assert.Single(result.Errors);
    }

    public const string MinimalCluster = """
        [clusters.backend]
        destinations = ["127.0.0.1:9001"]
        """;
}
