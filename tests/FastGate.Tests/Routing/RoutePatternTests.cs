using System.Text;
using FastGate.Routing;

namespace FastGate.Tests.Routing;

public class RoutePatternTests
{
    private static bool Matches(string pattern, string path) => RoutePattern.Parse(pattern).Matches(Encoding.UTF8.GetBytes(path));

    [Theory]
    [InlineData("/", "/", true)]
    [InlineData("/", "/a", false)]
    [InlineData("/", "", false)]
    [InlineData("/api", "/api", true)]
    [InlineData("/api", "/api/", false)]
    [InlineData("/api", "/API", false)]
    [InlineData("/api", "/apix", false)]
    [InlineData("/api/", "/api/", true)]
    [InlineData("/api/v1", "/api/v1", true)]
    [InlineData("/api/v1", "/api/v2", false)]
    [InlineData("/users/{id}", "/users/42", true)]
    [InlineData("/users/{id}", "/users/", false)]
    [InlineData("/users/{id}", "/users", false)]
    [InlineData("/users/{id}", "/users/42/x", false)]
    [InlineData("/users/{id}/posts", "/users/7/posts", true)]
    [InlineData("/api/{**rest}", "/api", true)]
    [InlineData("/api/{**rest}", "/api/", true)]
    [InlineData("/api/{**rest}", "/api/x/y", true)]
    [InlineData("/api/{**rest}", "/apix", false)]
    [InlineData("/api/{**rest}", "/other", false)]
    [InlineData("/static/*", "/static", true)]
    [InlineData("/static/*", "/static/css/site.css", true)]
    [InlineData("/static/*", "/stat", false)]
    [InlineData("/{**rest}", "/", true)]
    [InlineData("/{**rest}", "/anything/at/all", true)]
    [InlineData("/{**rest}", "no-slash", false)]
    [InlineData("/caf\u00e9", "/caf\u00e9", true)]
    public void Matches_path_kinds(string pattern, string path, bool expected) => Assert.Equal(expected, Matches(pattern, path));

    [Theory]
    [InlineData("", "must start with")]
    [InlineData("api", "must start with")]
    [InlineData("/api/{**rest}/x", "must be the last segment")]
    [InlineData("/a/*/b", "must be the last segment")]
    [InlineData("/a/{}", "empty parameter name")]
    [InlineData("/a/{**}", "empty parameter name")]
    [InlineData("/a/{id", "unterminated")]
    [InlineData("/a/x{id}", "whole segment")]
    [InlineData("/a//b", "empty segment")]
    [InlineData("/a?b=1", "query")]
    public void Rejects_invalid_patterns(string pattern, string message)
    {
        Assert.False(RoutePattern.TryParse(pattern, out _, out var error));
        Assert.Contains(message, error);
    }

    [Fact]
    public void Trailing_star_and_named_catch_all_have_the_same_shape()
    {
        Assert.Equal(RoutePattern.Parse("/static/*").Shape, RoutePattern.Parse("/static/{**rest}").Shape);
        Assert.Equal(RoutePattern.Parse("/u/{id}").Shape, RoutePattern.Parse("/u/{name}").Shape);
        Assert.NotEqual(RoutePattern.Parse("/u/{id}").Shape, RoutePattern.Parse("/u/id").Shape);
    }
}
