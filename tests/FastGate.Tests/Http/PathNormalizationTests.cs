using FastGate.Http;
using static FastGate.Tests.Http.RequestFeeder;

namespace FastGate.Tests.Http;

/// <summary>The path the parser hands to routing and forwarding (RFC 3986 §6.2.2, §5.2.4), fed at every byte boundary.</summary>
public class PathNormalizationTests
{
    [Theory]
    [InlineData("/a/b", "/a/b")]
    [InlineData("/", "/")]
    [InlineData("/a/", "/a/")]
    [InlineData("/.well-known/x", "/.well-known/x")]
    [InlineData("/a/...", "/a/...")]
    [InlineData("/a/./b", "/a/b")]
    [InlineData("/a/../b", "/b")]
    [InlineData("/a/b/..", "/a/")]
    [InlineData("/a/.", "/a/")]
    [InlineData("/./", "/")]
    [InlineData("/a/%2e%2E/b", "/b")]
    [InlineData("/a/.%2e/b", "/b")]
    [InlineData("/a/%2E/b", "/a/b")]
    [InlineData("/%41%7e%2D%5f%30", "/A~-_0")]
    [InlineData("/a%3bb%c3%a9", "/a%3Bb%C3%A9")]
    [InlineData("/a/..;/b", "/a/..;/b")]
    [InlineData("/%252e%252e/x", "/%252e%252e/x")]
    public void PathsAreNormalised(string path, string expected) => AssertPath(path, expected, PathLimits.For("default"));

    [Theory]
    [InlineData("/a//b", "/a//b")]
    [InlineData("//", "//")]
    [InlineData("/a//../b", "/a/b")]
    [InlineData("/public//../admin/x", "/public/admin/x")]
    [InlineData("//user@host/p/", "//user@host/p/")]
    public void SlashesAreKeptWhenNotMerged(string path, string expected) => AssertPath(path, expected, PathLimits.For("default"));

    [Theory]
    [InlineData("/a//b", "/a/b")]
    [InlineData("//", "/")]
    [InlineData("/a//", "/a/")]
    [InlineData("//user@host/p/", "/user@host/p/")]
    [InlineData("/public//../admin/x", "/admin/x")]
    public void SlashesAreMergedWhenConfigured(string path, string expected) => AssertPath(path, expected, PathLimits.For("merge"));

    [Theory]
    [InlineData("/a/..%2fadmin/x", "keep", "/a/..%2Fadmin/x")]
    [InlineData("/a%5cb", "keep", "/a%5Cb")]
    [InlineData("/a/%2e%2e%2fb", "keep", "/a/..%2Fb")]
    [InlineData("/a/..%2fadmin/x", "decode", "/admin/x")]
    [InlineData("/a/%2e%2e%2fadmin", "decode", "/admin")]
    [InlineData("/a/..%5cadmin", "decode", "/admin")]
    [InlineData("/a%5cb", "decode", "/a/b")]
    [InlineData("/a%2F", "decode", "/a/")]
    [InlineData("/a%2f%2fb", "decode", "/a//b")]
    public void EscapedSlashesAreKeptOrDecodedAsConfigured(string path, string options, string expected)
        => AssertPath(path, expected, PathLimits.For(options));

    [Theory]
    [InlineData("/%zz")]
    [InlineData("/%2")]
    [InlineData("/a%")]
    [InlineData("/a%g0")]
    [InlineData("/%00")]
    [InlineData("/a%2Fb")]
    [InlineData("/a%2fb")]
    [InlineData("/a%5Cb")]
    [InlineData("/a%5cb")]
    [InlineData("/..")]
    [InlineData("/../x")]
    [InlineData("/a/../../x")]
    [InlineData("/%2e%2e/x")]
    [InlineData("/a\\b")] // a raw backslash is no request-target character (RFC 3986), as before
    public void BadPathsAre400(string path)
    {
        var outcome = ParseAllWays($"GET {path} HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(new Outcome(ParseStatus.Error, 400, 0), outcome);
    }

    [Theory]
    [InlineData("decode", "/%00")]
    [InlineData("decode", "/%2f..%2f..")]
    [InlineData("keep", "/%zz")]
    public void BadPathsAre400WhateverTheEscapedSlashHandling(string options, string path)
        => Assert.Equal(ParseStatus.Error, ParseAllWays($"GET {path} HTTP/1.1\r\nHost: a\r\n\r\n", PathLimits.For(options)).Status);

    [Fact]
    public void TheQueryIsUntouchedAndTheRawTargetStaysReadable()
        => ParseAllWays("GET /a/./b%7e?x=/../%zz&y=%2F HTTP/1.1\r\nHost: a\r\n\r\n", check: h =>
        {
            Assert.Equal("/a/b~", Text(h.Path));
            Assert.Equal("?x=/../%zz&y=%2F", Text(h.Query));
            Assert.Equal("/a/./b%7e?x=/../%zz&y=%2F", Text(h.Target));
        });

    [Fact]
    public void AbsoluteFormPathsAreNormalisedToo()
        => ParseAllWays("GET http://h/public/../admin/x?q HTTP/1.1\r\nHost: h\r\n\r\n", check: h =>
        {
            Assert.Equal("/admin/x", Text(h.Path));
            Assert.Equal("?q", Text(h.Query));
        });

    [Fact]
    public void FieldsAfterANormalisedPathAreIntact()
        => ParseAllWays("GET /a/../%62 HTTP/1.1\r\nHost: a\r\nX-Long: " + new string('v', 5000) + "\r\n\r\n", check: h =>
        {
            Assert.Equal("/b", Text(h.Path));
            Assert.Equal(5000, h.Value(1).Length);
        });

    private static void AssertPath(string path, string expected, HttpLimits limits)
    {
        var seen = 0;
        var outcome = ParseAllWays($"GET {path}?q=1 HTTP/1.1\r\nHost: a\r\n\r\n", limits, h =>
        {
            Assert.Equal(expected, Text(h.Path));
            Assert.Equal("?q=1", Text(h.Query));
            seen++;
        });
        Assert.Equal(ParseStatus.Complete, outcome.Status);
        Assert.True(seen > 0);
    }
}
