using static FastGate.Tests.Configuration.ConfigTestHelper;

namespace FastGate.Tests.Configuration;

public class TimeoutConfigTests
{
    private const string Config = """
        [clusters.backend]
        destinations = ["127.0.0.1:9001"]
        response_timeout = "10s"
        request_timeout = "1m"
        [routes.api]
        path = "/api/{**rest}"
        cluster = "backend"
        connect_timeout = "1s"
        body_timeout = "2s"
        [routes.rest]
        path = "/{**rest}"
        cluster = "backend"
        """;

    [Fact]
    public void Routes_override_their_clusters_timeouts_key_by_key()
    {
        var routes = Valid(Config).Routes.Routes.ToDictionary(r => r.Name);
        var api = routes["api"].Timeouts;
        Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(1)),
            (api.Connect, api.Response, api.Body, api.Request));
        var rest = routes["rest"].Timeouts;
        // Without body_timeout anywhere, a body may pause as long as the response head may take.
        Assert.Equal((TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1)),
            (rest.Connect, rest.Response, rest.Body, rest.Request));
        Assert.Equal(Timeout.InfiniteTimeSpan, Valid(MinimalCluster).Clusters["backend"].Options.Timeouts.Request);
    }

    [Theory]
    [InlineData("request_timeout = \"soon\"", "routes.api.request_timeout")]
    [InlineData("connect_timeout = \"0s\"", "routes.api.connect_timeout")]
    [InlineData("response_timeut = \"1s\"", "routes.api")]
    public void A_bad_route_timeout_names_its_key(string line, string key) =>
        Assert.StartsWith(key, SingleError(Config.Replace("connect_timeout = \"1s\"", line)).Key);
}
