using FastGate.Tests.Integration;

namespace FastGate.Tests.Policies;

/// <summary><c>type = "transform"</c> over real sockets: what the upstream receives, byte for byte.</summary>
public class TransformTests
{
    private const string Config = """
        [policies.tag]
        type = "transform"
        request_headers = { set = { "X-Gateway" = "fastgate", "X-Client" = "ip={client_ip}", "X-Rid" = "{request_id}", "X-Route" = "{route}", "X-Copied" = "{header:X-In}", "X-Sub" = "{claim:sub}" }, append = { "X-Multi" = "two" }, remove = ["X-Debug"] }
        response_headers = { set = { "X-Served-By" = "fastgate/{route}" }, remove = ["Server", "X-Internal"] }
        path_regex = { pattern = "^/v1/(.*)$", replace = "/$1" }
        query = { set = { source = "gw", user = "{header:X-User}" }, remove = ["debug"] }

        [routes.api]
        path = "/{**rest}"
        cluster = "backend"
        policies = ["tag"]
        """;

    private static async Task<(HttpResponse Response, UpstreamRequest? Upstream)> SendAsync(string request, string config = Config)
    {
        await using var upstream = PolicyGateway.Upstream("Server: upstream/1.0\r\nX-Internal: secret\r\nX-Kept: yes\r\n");
        await using var gateway = await PolicyGateway.StartAsync(upstream, config);
        using var client = gateway.Connect();
        client.Send(request);
        var response = await client.ReadResponseAsync();
        return (response, upstream.Requests.TryDequeue(out var seen) ? seen : null);
    }

    private static string[] Lines(UpstreamRequest request, string name) =>
        request.Head.Split("\r\n").Where(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase)).ToArray();

    [Fact]
    public async Task Headers_are_set_appended_and_removed_with_every_variable_and_the_path_and_query_rewritten()
    {
        var (response, upstream) = await SendAsync(
            "GET /v1/items/7?debug=1&keep=2&source=client HTTP/1.1\r\nHost: a\r\nX-Debug: on\r\nX-Gateway: forged\r\nX-Multi: one\r\n" +
            "X-In: copied value\r\nX-User: alice\r\nX-Request-ID: rid-123\r\n\r\n");
        Assert.Equal(200, response.Status);
        Assert.NotNull(upstream);
        Assert.Equal("/items/7?keep=2&source=gw&user=alice", upstream.Target);
        Assert.Empty(Lines(upstream, "X-Debug"));
        Assert.Equal(["X-Gateway: fastgate"], Lines(upstream, "X-Gateway"));
        Assert.Equal(["X-Multi: one", "X-Multi: two"], Lines(upstream, "X-Multi"));
        Assert.Equal("ip=127.0.0.1", upstream.Header("X-Client"));
        Assert.Equal("rid-123", upstream.Header("X-Rid"));
        Assert.Equal("api", upstream.Header("X-Route"));
        Assert.Equal("copied value", upstream.Header("X-Copied"));
        Assert.Equal(["X-Sub: "], Lines(upstream, "X-Sub")); // {claim:NAME} is empty on a route without a jwt policy

        Assert.Null(response.Header("Server"));
        Assert.Null(response.Header("X-Internal"));
        Assert.Equal("yes", response.Header("X-Kept"));
        Assert.Equal("fastgate/api", response.Header("X-Served-By"));
    }

    [Fact]
    public async Task A_path_the_regex_does_not_match_and_a_request_without_a_query_are_forwarded_as_they_are_plus_the_set_parameters()
    {
        var (_, upstream) = await SendAsync("GET /v2/x HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal("/v2/x?source=gw&user=", upstream!.Target);
    }

    [Fact]
    public async Task A_query_value_from_a_header_variable_cannot_add_parameters_a_fragment_or_end_the_request_line()
    {
        var (_, upstream) = await SendAsync("GET /v1/q?keep=1 HTTP/1.1\r\nHost: a\r\nX-User: a&admin=1 #x\tHTTP/1.1\r\n\r\n");
        Assert.NotNull(upstream);
        Assert.StartsWith("GET /q?keep=1&source=gw&user=a%26admin%3D1%20%23x%09HTTP%2F1.1 HTTP/1.1\r\n", upstream.Raw);
        Assert.DoesNotContain("&admin=", upstream.Raw.Split("\r\n")[0]);
    }

    [Fact]
    public async Task Obs_text_in_a_header_variable_is_percent_encoded_in_the_query_and_passed_as_it_is_in_a_header()
    {
        var (_, upstream) = await SendAsync("GET /v1/q HTTP/1.1\r\nHost: a\r\nX-User: caf\u00e9\r\nX-In: caf\u00e9\r\n\r\n");
        Assert.Contains("user=caf%E9 HTTP/1.1\r\n", upstream!.Raw);
        Assert.Contains("\r\nX-Copied: caf\u00e9\r\n", upstream.Raw);
    }

    [Theory]
    [InlineData("X-In: a\rX-Injected: 1")]     // bare CR
    [InlineData("X-In: a\nX-Injected: 1")]     // bare LF
    [InlineData("X-In: a\0X-Injected: 1")]     // NUL
    [InlineData("X-User: a\r\n X-Injected: 1")] // obs-fold
    public async Task A_header_variable_cannot_carry_CR_LF_or_NUL_upstream_the_request_is_refused_before_any_policy_runs(string field)
    {
        var (response, upstream) = await SendAsync($"GET /v1/q HTTP/1.1\r\nHost: a\r\n{field}\r\n\r\n");
        Assert.Equal(400, response.Status);
        Assert.Null(upstream);
    }

    [Fact]
    public async Task Encoded_CR_LF_in_a_header_variable_reaches_the_upstream_as_the_literal_percent_bytes_in_one_field()
    {
        var (_, upstream) = await SendAsync("GET /v1/q HTTP/1.1\r\nHost: a\r\nX-In: a%0d%0aX-Injected: 1\r\n\r\n");
        Assert.Contains("\r\nX-Copied: a%0d%0aX-Injected: 1\r\n", upstream!.Raw);
        Assert.DoesNotContain("\r\nX-Injected", upstream.Raw);
    }

    [Fact]
    public async Task A_route_without_policies_forwards_the_head_untouched()
    {
        var (_, upstream) = await SendAsync("GET /v1/x?debug=1 HTTP/1.1\r\nHost: a\r\nX-Debug: on\r\n\r\n", """
            [routes.plain]
            path = "/{**rest}"
            cluster = "backend"
            """);
        Assert.Equal("/v1/x?debug=1", upstream!.Target);
        Assert.Equal("on", upstream.Header("X-Debug"));
    }

    [Fact]
    public async Task Two_policies_run_in_list_order_and_strip_prefix_applies_after_the_regex()
    {
        var (_, upstream) = await SendAsync("GET /v1/api/x HTTP/1.1\r\nHost: a\r\n\r\n", """
            [policies.first]
            type = "transform"
            path_regex = { pattern = "^/v1/(?<rest>.*)$", replace = "/${rest}" }
            request_headers = { set = { "X-Order" = "first" } }
            [policies.second]
            type = "transform"
            request_headers = { append = { "X-Order" = "second" } }
            [routes.api]
            path = "/{**rest}"
            cluster = "backend"
            strip_prefix = "/api"
            policies = ["first", "second"]
            """);
        Assert.Equal("/x", upstream!.Target);
        Assert.Equal(["X-Order: first", "X-Order: second"], Lines(upstream, "X-Order"));
    }

    [Fact]
    public async Task Repeated_and_interleaved_paths_get_the_same_rewrite_from_the_memo_as_the_first_time()
    {
        await using var upstream = PolicyGateway.Upstream("");
        await using var gateway = await PolicyGateway.StartAsync(upstream, Config);
        using var client = gateway.Connect();
        string[] paths = ["/v1/a", "/v2/b", "/v1/a", "/v1/c", "/v2/b", "/v1/a", "/v1/" + new string('x', 600), "/v1/" + new string('x', 600)];
        string[] expected = ["/a", "/v2/b", "/a", "/c", "/v2/b", "/a", "/" + new string('x', 600), "/" + new string('x', 600)];
        var targets = new List<string>();
        foreach (var path in paths)
        {
            client.Send($"GET {path} HTTP/1.1\r\nHost: a\r\n\r\n");
            Assert.Equal(200, (await client.ReadResponseAsync()).Status);
            Assert.True(upstream.Requests.TryDequeue(out var seen));
            targets.Add(seen.Target.Split('?')[0]);
        }
        Assert.Equal(expected, targets);
    }
}
