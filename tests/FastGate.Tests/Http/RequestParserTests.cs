using FastGate.Http;
using static FastGate.Tests.Http.RequestFeeder;

namespace FastGate.Tests.Http;

public class RequestParserTests
{
    private static void AssertRejected(string raw, int status, HttpLimits? limits = null)
    {
        var outcome = ParseAllWays(raw, limits);
        Assert.Equal(ParseStatus.Error, outcome.Status);
        Assert.Equal(status, outcome.Error);
    }

    private static RequestHead AssertAccepted(string raw, Action<RequestHead>? check = null)
    {
        RequestHead? last = null;
        var outcome = ParseAllWays(raw, check: h => { check?.Invoke(h); last = h; });
        Assert.Equal(ParseStatus.Complete, outcome.Status);
        return last!;
    }

    [Fact]
    public void SimpleGet()
    {
        const string raw = "GET /a/b?x=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n";
        var outcome = ParseAllWays(raw, check: h =>
        {
            Assert.Equal(HttpMethod.Get, h.Method);
            Assert.Equal("/a/b", Text(h.Path));
            Assert.Equal("?x=1", Text(h.Query));
            Assert.Equal("example.com", Text(h.Authority));
            Assert.Equal(1, h.VersionMinor);
            Assert.True(h.KeepAlive);
            Assert.False(h.HasBody);
            Assert.Equal(2, h.FieldCount);
            Assert.Equal("Accept", Text(h.Name(1)));
            Assert.Equal("*/*", Text(h.Value(1)));
        });
        Assert.Equal(raw.Length, outcome.Consumed);
    }

    [Fact]
    public void ConsumesOnlyTheHeadOfPipelinedRequests()
    {
        const string first = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n";
        var outcome = ParseAllWays(first + "GET /2 HTTP/1.1\r\nHost: a\r\n\r\n", check: h => Assert.Equal("/1", Text(h.Path)));
        Assert.Equal(first.Length, outcome.Consumed);
    }

    [Theory]
    [InlineData("GET", HttpMethod.Get)]
    [InlineData("HEAD", HttpMethod.Head)]
    [InlineData("POST", HttpMethod.Post)]
    [InlineData("PUT", HttpMethod.Put)]
    [InlineData("DELETE", HttpMethod.Delete)]
    [InlineData("PATCH", HttpMethod.Patch)]
    [InlineData("TRACE", HttpMethod.Trace)]
    [InlineData("OPTIONS", HttpMethod.Options)]
    [InlineData("PROPFIND", HttpMethod.Custom)]
    [InlineData("get", HttpMethod.Custom)]
    public void KnownMethodsAreRecognised(string method, HttpMethod expected)
        => AssertAccepted($"{method} / HTTP/1.1\r\nHost: a\r\n\r\n", h =>
        {
            Assert.Equal(expected, h.Method);
            Assert.Equal(method, Text(h.MethodBytes));
        });

    [Fact]
    public void AbsoluteFormNamesTheAuthorityAndForwardsThePath()
        => AssertAccepted("GET http://other.example:8080/p?q HTTP/1.1\r\nHost: ignored\r\n\r\n", h =>
        {
            Assert.Equal(RequestTargetForm.Absolute, h.TargetForm);
            Assert.Equal("other.example:8080", Text(h.Authority));
            Assert.Equal("/p", Text(h.Path));
            Assert.Equal("?q", Text(h.Query));
        });

    [Fact]
    public void AsteriskFormOnlyForOptions()
    {
        AssertAccepted("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", h => Assert.Equal(RequestTargetForm.Asterisk, h.TargetForm));
        AssertRejected("GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    }

    [Fact]
    public void ConnectIsNotAllowed() => AssertRejected("CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n", 405);

    [Fact]
    public void LeadingEmptyLinesAreIgnored()
    {
        var outcome = ParseAllWays("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", check: h => Assert.Equal("/", Text(h.Path)));
        Assert.Equal(ParseStatus.Complete, outcome.Status);
    }

    [Fact]
    public void Http10KeepAliveRules()
    {
        AssertAccepted("GET / HTTP/1.0\r\n\r\n", h => Assert.False(h.KeepAlive));
        AssertAccepted("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", h => Assert.True(h.KeepAlive));
        AssertAccepted("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", h => Assert.False(h.KeepAlive));
    }

    [Fact]
    public void FieldsNamedInConnectionAreDropped()
        => AssertAccepted("GET / HTTP/1.1\r\nHost: a\r\nConnection: x-secret, keep-alive\r\nX-Secret: 1\r\nX-Other: 2\r\nKeep-Alive: 5\r\n\r\n", h =>
        {
            Assert.True(h.Field(1).Drop);  // Connection
            Assert.True(h.Field(2).Drop);  // X-Secret
            Assert.False(h.Field(3).Drop); // X-Other
            Assert.True(h.Field(4).Drop);  // Keep-Alive
        });

    [Fact]
    public void ContentLengthBody()
        => AssertAccepted("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 42\r\n\r\n", h =>
        {
            Assert.Equal(42, h.ContentLength);
            Assert.True(h.HasBody);
        });

    [Fact]
    public void IdenticalContentLengthsAreMerged()
    {
        AssertAccepted("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", h => Assert.Equal(5, h.ContentLength));
        AssertAccepted("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n", h => Assert.Equal(5, h.ContentLength));
    }

    [Theory]
    [InlineData("Content-Length: 5\r\nContent-Length: 6")]
    [InlineData("Content-Length: 5, 6")]
    [InlineData("Content-Length: +5")]
    [InlineData("Content-Length: -1")]
    [InlineData("Content-Length: 0x10")]
    [InlineData("Content-Length: 5 5")]
    [InlineData("Content-Length:")]
    [InlineData("Content-Length: 99999999999999999999")]
    public void BadContentLengthIsRejected(string field) => AssertRejected($"POST / HTTP/1.1\r\nHost: a\r\n{field}\r\n\r\n", 400);

    [Fact]
    public void ChunkedBody() => AssertAccepted("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", h => Assert.True(h.Chunked));

    [Theory]
    [InlineData("Transfer-Encoding: chunked\r\nContent-Length: 5", 400)]
    [InlineData("Transfer-Encoding: gzip", 400)]
    [InlineData("Transfer-Encoding: gzip, chunked", 501)]
    [InlineData("Transfer-Encoding: chunked, chunked", 400)]
    [InlineData("Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip", 400)]
    [InlineData("Transfer-Encoding: xchunked", 400)]
    [InlineData("Transfer-Encoding: ", 400)]
    public void BadTransferEncodingIsRejected(string field, int status)
        => AssertRejected($"POST / HTTP/1.1\r\nHost: a\r\n{field}\r\n\r\n", status);

    [Fact]
    public void TransferEncodingInHttp10IsRejected()
        => AssertRejected("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400);

    [Theory]
    [InlineData("GET / HTTP/1.1\nHost: a\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX : b\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n  folded\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\n Host: a\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n: empty\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nBad[Name]: 1\r\n\r\n")]
    [InlineData("GET  / HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET / HTTP/1.1 \r\nHost: a\r\n\r\n")]
    [InlineData("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET relative HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("G(T / HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a b\r\n\r\n")]
    [InlineData("GET http://user@h/ HTTP/1.1\r\nHost: h\r\n\r\n")]
    [InlineData("GET / HTTP/1.x\r\nHost: a\r\n\r\n")]
    [InlineData("GET / http/1.1\r\nHost: a\r\n\r\n")]
    public void MalformedHeadsAreRejectedWith400(string raw) => AssertRejected(raw, 400);

    [Theory]
    [InlineData("GET / HTTP/2.0\r\nHost: a\r\n\r\n")]
    [InlineData("GET / HTTP/3.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET / HTTP/0.9\r\nHost: a\r\n\r\n")]
    public void UnsupportedVersionsGet505(string raw) => AssertRejected(raw, 505);

    [Theory]
    [InlineData("HTTP/1.2")]
    [InlineData("HTTP/1.9")]
    public void HigherHttp1MinorVersionsAreHandledAsHttp11(string version)
    {
        AssertAccepted($"GET / {version}\r\nHost: a\r\n\r\n", h =>
        {
            Assert.Equal(1, h.VersionMinor);
            Assert.True(h.KeepAlive);
        });
        AssertRejected($"GET / {version}\r\n\r\n", 400); // as 1.1, it needs a Host
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a\rX")]
    [InlineData("GET / HTTP/1.1\rX")]
    [InlineData("GET /\r HTTP/1.1\r\n")]
    [InlineData("\r\n\rGET / HTTP/1.1\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\rX")]
    public void BareCrIsRejectedAsSoonAsTheNextByteShows(string raw)
    {
        // The head is never complete: the error must not wait for its end (or the header timeout).
        AssertRejected(raw, 400);
        var parser = new Http1RequestParser();
        var bareCr = System.Text.RegularExpressions.Regex.Match(raw, "\r(?!\n)").Index;
        var upToCr = Segments.Ascii(raw[..(bareCr + 1)]);
        Assert.Equal(ParseStatus.Incomplete, parser.TryParse(Segments.Split(upToCr), new RequestHead(), HttpLimits.Default, out _, out _));
    }

    [Fact]
    public void ExpectContinue()
    {
        AssertAccepted("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n", h => Assert.True(h.ExpectContinue));
        AssertAccepted("POST / HTTP/1.1\r\nHost: a\r\nExpect: something-else\r\n\r\n", h =>
        {
            Assert.False(h.ExpectContinue);
            Assert.False(h.Field(1).Drop); // forwarded for the origin to judge
        });
    }

    [Fact]
    public void UpgradeNeedsTheConnectionToken()
    {
        AssertAccepted("GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n", h =>
        {
            Assert.True(h.IsUpgrade);
            Assert.Equal("websocket", Text(h.UpgradeValue));
        });
        AssertAccepted("GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n", h => Assert.False(h.IsUpgrade));
    }

    [Fact]
    public void ValueWhitespaceIsTrimmedButInnerKept()
        => AssertAccepted("GET / HTTP/1.1\r\nHost: a\r\nX-A: \t one  two \t\r\nX-B:\r\n\r\n", h =>
        {
            Assert.Equal("one  two", Text(h.Value(1)));
            Assert.Equal("", Text(h.Value(2)));
        });

    [Fact]
    public void RequestLineLimitGives414()
    {
        var limits = HttpLimits.Default with { MaxRequestLineBytes = 64 };
        AssertRejected("GET /" + new string('a', 100) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414, limits);
        Assert.Equal(ParseStatus.Complete, ParseAllWays("GET /" + new string('a', 40) + " HTTP/1.1\r\nHost: a\r\n\r\n", limits).Status);
    }

    [Fact]
    public void HeaderLimitsGive431()
    {
        var limits = HttpLimits.Default with { MaxHeaderBytes = 100, MaxHeaderCount = 3 };
        AssertRejected("GET / HTTP/1.1\r\nHost: a\r\nX: " + new string('b', 120) + "\r\n\r\n", 431, limits);
        AssertRejected("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", 431, limits);
        Assert.Equal(ParseStatus.Complete, ParseAllWays("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n", limits).Status);
    }

    [Fact]
    public void AnIncompleteHeadIsNotAnError()
    {
        var parser = new Http1RequestParser();
        var status = parser.TryParse(Segments.Split(Segments.Ascii("GET / HTTP/1.1\r\nHost: a\r\n")), new RequestHead(), HttpLimits.Default, out _, out _);
        Assert.Equal(ParseStatus.Incomplete, status);
    }

    [Fact]
    public void ParserStateIsReusedAcrossRequests()
    {
        var parser = new Http1RequestParser();
        var head = new RequestHead();
        for (var i = 0; i < 3; i++)
        {
            var data = Segments.Ascii($"GET /{i} HTTP/1.1\r\nHost: a\r\n\r\n");
            Assert.Equal(ParseStatus.Complete, parser.TryParse(Segments.Split(data), head, HttpLimits.Default, out var consumed, out _));
            Assert.Equal(data.Length, consumed);
            Assert.Equal($"/{i}", Text(head.Path));
        }
    }

    [Theory]
    [InlineData("a")]
    [InlineData("a:80")]
    [InlineData("a:")] // empty port: RFC 3986 port = *DIGIT
    [InlineData("")]   // RFC 9112 §3.2: empty when the target has no authority
    [InlineData("127.0.0.1:8080")]
    [InlineData("0.0.0.0=5000")] // '=' is a sub-delim
    [InlineData("a%41b.example")]
    [InlineData("[::1]")]
    [InlineData("[::1]:8080")]
    [InlineData("[2001:db8::ffff:1.2.3.4]:1")]
    [InlineData("[v1.fe80::a+b]")]
    public void ValidHostValuesAreAccepted(string host)
        => AssertAccepted($"GET / HTTP/1.1\r\nHost: {host}\r\n\r\n", h => Assert.Equal(host, Text(h.Authority)));

    [Theory]
    [InlineData("a:80x")]
    [InlineData("a:b")]
    [InlineData("a:80:90")]
    [InlineData(":80")]
    [InlineData("[zz]")]
    [InlineData("[::1")]
    [InlineData("[::1]x")]
    [InlineData("[::1]:8x")]
    [InlineData("[]")]
    [InlineData("[1:2:3:4:5:6:7:8:9]")]
    [InlineData("[fe80::1%25eth0]")]
    [InlineData("[::1.2.3.256]")]
    [InlineData("[v1]")]
    [InlineData("a b")]
    [InlineData("a@b")]
    [InlineData("a%zz")]
    [InlineData("a%4")]
    [InlineData("a/b")]
    [InlineData("a\"b")]
    public void InvalidHostValuesGet400(string host) => AssertRejected($"GET / HTTP/1.1\r\nHost: {host}\r\n\r\n", 400);

    [Theory]
    [InlineData("http:///x")]
    [InlineData("http://:80/x")]
    [InlineData("http://a:80x/x")]
    [InlineData("http://a:80:90/x")]
    [InlineData("http://[zz]/x")]
    [InlineData("http://[::1/x")]
    [InlineData("http://a@b/x")]
    [InlineData("http://a%zz/x")]
    public void InvalidAbsoluteFormAuthoritiesGet400(string target)
        => AssertRejected($"GET {target} HTTP/1.1\r\nHost: b\r\n\r\n", 400);

    [Fact]
    public void AbsoluteFormAuthorityWithIpLiteralReplacesHost()
        => AssertAccepted("GET http://[::1]:8080/p HTTP/1.1\r\nHost: other\r\n\r\n", h =>
        {
            Assert.Equal("[::1]:8080", Text(h.Authority));
            Assert.Equal("/p", Text(h.Path));
        });

    [Fact]
    public void Http10WithoutHostIsAccepted()
        => AssertAccepted("GET / HTTP/1.0\r\n\r\n", h =>
        {
            Assert.Equal(0, h.VersionMinor);
            Assert.True(h.Authority.IsEmpty);
        });
}
