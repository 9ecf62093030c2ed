using System.Text.RegularExpressions;
using FastGate.Configuration;
using FastGate.Tests.Integration;

namespace FastGate.Tests.Policies;

/// <summary>What README's first command shows: the shipped config.toml loads, and run.sh's demo token opens its /secure/ route.</summary>
public class ShippedDemoTests
{
    private static string Shipped(string file) => File.ReadAllText(Path.Combine(TestPaths.RepoRoot(), file));

    /// <summary>The <c>[policies.demo_jwt]</c> table as config.toml ships it, up to the blank line after it.</summary>
    private static string DemoJwtPolicy()
    {
        var text = Shipped("config.toml").ReplaceLineEndings("\n");
        var start = text.IndexOf("[policies.demo_jwt]\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "config.toml has no [policies.demo_jwt]");
        var end = text.IndexOf("\n\n", start, StringComparison.Ordinal);
        return text[start..end];
    }

    private static string DemoToken() => Regex.Match(Shipped("run.sh"), "DEMO_TOKEN=\"([^\"]+)\"").Groups[1].Value;

    [Fact]
    public void The_shipped_config_loads_without_an_error()
    {
        var result = ConfigLoader.LoadFile(Path.Combine(TestPaths.RepoRoot(), "config.toml"), new Dictionary<string, string>());
        Assert.True(result.Success, result.ErrorText);
    }

    [Fact]
    public async Task Run_sh_s_demo_token_passes_the_shipped_jwt_policy_and_its_sub_is_forwarded_while_no_token_gets_401()
    {
        await using var upstream = PolicyGateway.Upstream();
        await using var gateway = await PolicyGateway.StartAsync(upstream, DemoJwtPolicy() + """

            [routes.secure]
            path = "/{**rest}"
            cluster = "backend"
            policies = ["demo_jwt"]
            """);
        using var client = gateway.Connect();
        client.Send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
        var refused = await client.ReadResponseAsync();
        Assert.Equal((401, "Bearer"), (refused.Status, refused.Header("WWW-Authenticate")));

        client.Send($"GET /x HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer {DemoToken()}\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        Assert.True(upstream.Requests.TryDequeue(out var forwarded));
        Assert.Equal("demo-user", forwarded.Header("X-User-Id"));
    }
}
