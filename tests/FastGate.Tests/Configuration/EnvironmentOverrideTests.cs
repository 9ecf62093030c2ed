using System.Net;
using FastGate.Balancing;
using FastGate.Configuration;
using FastGate.Http;
using static FastGate.Tests.Configuration.ConfigTestHelper;

namespace FastGate.Tests.Configuration;

public class EnvironmentOverrideTests
{
    private const string Base = """
        [limits]
        header_timeout = "10s"

        [clusters.Backend]
        destinations = ["127.0.0.1:9001"]

        [routes.api]
        cluster = "Backend"
        path = "/api/{**rest}"
        """;

    [Fact]
    public void Overrides_a_value_from_the_file()
    {
        var s = Valid(Base, new() { ["FASTGATE_LIMITS__HEADER_TIMEOUT"] = "5s" });
        Assert.Equal(TimeSpan.FromSeconds(5), s.Limits.HeaderTimeout);
    }

    [Fact]
    public void Names_are_case_insensitive_and_match_existing_entries()
    {
        var s = Valid(Base, new()
        {
            ["fastgate_clusters__backend__balancer"] = "least_connections",
            ["FASTGATE_ROUTES__API__METHODS"] = "GET, POST",
        });
        Assert.Equal(LeastConnectionsBalancer.ConfigName, s.Clusters["Backend"].BalancerName);
        Assert.Single(s.Clusters);
        Assert.Equal(HttpMethodSet.Of(HttpMethod.Get, HttpMethod.Post), s.Routes.Routes[0].Methods);
    }

    [Fact]
    public void Creates_values_absent_from_the_file()
    {
        var s = Valid(Base, new()
        {
            ["FASTGATE_SERVER__LISTEN"] = "0.0.0.0:8080,0.0.0.0:8081",
            ["FASTGATE_LIMITS__MAX_REQUEST_BODY"] = "2MiB",
            ["FASTGATE_LIMITS__MAX_HEADER_COUNT"] = "20",
            ["FASTGATE_LIMITS__KEEPALIVE_TIMEOUT"] = "30",
            ["FASTGATE_LIMITS__MAX_REQUEST_LINE"] = "1024",
            ["FASTGATE_SERVER__TRUSTED_PROXIES"] = "10.0.0.0/8",
        });
        Assert.Equal([new IPEndPoint(IPAddress.Any, 8080), new IPEndPoint(IPAddress.Any, 8081)], s.Listeners);
        Assert.Equal(2 * 1024 * 1024, s.Limits.MaxRequestBodyBytes);
        Assert.Equal(20, s.Limits.MaxHeaderCount);
        Assert.Equal(TimeSpan.FromSeconds(30), s.Limits.KeepAliveTimeout);
        Assert.Equal(1024, s.Limits.MaxRequestLineBytes);
        Assert.Equal([IPNetwork.Parse("10.0.0.0/8")], s.TrustedProxies);
        Assert.Equal(TimeSpan.FromSeconds(10), s.Limits.HeaderTimeout);
    }

    [Fact]
    public void Creates_a_whole_cluster_and_route()
    {
        var s = Valid(Base, new()
        {
            ["FASTGATE_CLUSTERS__EXTRA__DESTINATIONS"] = "127.0.0.1:7001,127.0.0.1:7002",
            ["FASTGATE_ROUTES__HEALTH__CLUSTER"] = "extra",
            ["FASTGATE_ROUTES__HEALTH__PATH"] = "/health",
        });
        Assert.Equal(2, s.Clusters["extra"].Destinations.Length);
        Assert.Equal("health", s.Routes.Match("h"u8, "/health"u8, HttpMethod.Get)?.Name);
    }

    [Fact]
    public void Variables_without_levels_or_prefix_are_ignored()
    {
        Valid(Base, new() { ["FASTGATE_CONFIG"] = "/etc/fastgate.toml", ["PATH"] = "/bin", ["HOME__X"] = "y" });
    }

    [Fact]
    public void Bad_override_value_names_the_variable()
    {
        var error = SingleError(Base, new() { ["FASTGATE_LIMITS__HEADER_TIMEOUT"] = "x" });
        Assert.Equal("FASTGATE_LIMITS__HEADER_TIMEOUT", error.EnvVariable);
        Assert.Equal(0, error.Line);
        Assert.Equal("limits.header_timeout", error.Key);
        Assert.StartsWith("env FASTGATE_LIMITS__HEADER_TIMEOUT: bad duration \"x\"", error.ToString());
    }

    [Theory]
    [InlineData("FASTGATE_LIMITS__HEADER_TIMOUT", "unknown key \"header_timout\" in [limits] (did you mean \"header_timeout\"?)")]
    [InlineData("FASTGATE_LIMIT__HEADER_TIMEOUT", "unknown section \"limit\" (did you mean \"limits\"?)")]
    [InlineData("FASTGATE_CLUSTERS__BALANCER", "expected FASTGATE_CLUSTERS__NAME__KEY")]
    [InlineData("FASTGATE_LIMITS__A__B", "expected FASTGATE_LIMITS__KEY")]
    [InlineData("FASTGATE_LIMITS____X", "malformed name (empty level between \"__\")")]
    public void Bad_override_name(string variable, string message)
    {
        var error = SingleError(Base, new() { [variable] = "1" });
        Assert.Equal($"env {variable}: {message}", error.ToString());
    }

    [Theory]
    [InlineData("FASTGATE_CLUSTERS__BACKEND__BALANCER", "foo", "unknown balancer \"foo\"")]
    [InlineData("FASTGATE_LIMITS__MAX_HEADER_COUNT", "lots", "expected an integer")]
    [InlineData("FASTGATE_LIMITS__MAX_HEADER_BYTES", "lots", "bad size \"lots\"")]
    [InlineData("FASTGATE_SERVER__LISTEN", "127.0.0.1", "bad address \"127.0.0.1\"")]
    [InlineData("FASTGATE_ROUTES__API__CLUSTER", "missing", "unknown cluster \"missing\"")]
    public void Bad_override_values(string variable, string value, string message)
    {
        var error = SingleError(Base, new() { [variable] = value });
        Assert.Equal(variable, error.EnvVariable);
        Assert.StartsWith($"env {variable}: {message}", error.ToString());
    }

    [Fact]
    public void Route_created_by_environment_without_path_names_its_variable()
    {
        var error = SingleError(Base, new() { ["FASTGATE_ROUTES__X__CLUSTER"] = "Backend" });
        Assert.Equal("env FASTGATE_ROUTES__X__CLUSTER: routes.x.path: required key is missing", error.ToString());
        Assert.Equal("routes.x.path", error.Key);
    }

    [Fact]
    public void File_and_environment_errors_are_all_reported_file_first()
    {
        var result = Load(Base + "\nbalancer = \"nope\"\n", new()
        {
            ["FASTGATE_LIMITS__HEADER_TIMEOUT"] = "x",
            ["FASTGATE_LIMITS__NOPE"] = "1",
        });
        Assert.Equal(3, result.Errors.Count);
        Assert.Equal(10, result.Errors[0].Line);
        Assert.Equal(["FASTGATE_LIMITS__HEADER_TIMEOUT", "FASTGATE_LIMITS__NOPE"], result.Errors.Skip(1).Select(e => e.EnvVariable));
    }

    [Fact]
    public void ReadProcessEnvironment_keeps_only_fastgate_variables()
    {
        var name = $"FASTGATE_TEST_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(name, "v");
        try
        {
            var env = ConfigLoader.ReadProcessEnvironment();
            Assert.Equal("v", env[name]);
            Assert.All(env.Keys, k => Assert.StartsWith("FASTGATE_", k, StringComparison.OrdinalIgnoreCase));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }
}
