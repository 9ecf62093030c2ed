using System.Buffers;
using System.Text;
using FastGate.Http;
using FastGate.Policies.Transforms;
using FastGate.Proxy;

namespace FastGate.Tests.Policies;

/// <summary>
/// The last line of defence behind the parser: a rendered value that holds CR, LF, NUL or another CTL is refused,
/// so the transform drops the field. (Over a socket the parser refuses such bytes first: see TransformTests.)
/// </summary>
public class ValueTemplateTests
{
    private static ExchangeContext Parsed(string request)
    {
        var context = new ExchangeContext();
        var status = new Http1RequestParser().TryParse(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(request)), context.Request,
            HttpLimits.Default, out _, out _);
        Assert.Equal(ParseStatus.Complete, status);
        return context;
    }

    /// <summary>Overwrites the first occurrence of <paramref name="marker"/> in the parsed head's buffer with <paramref name="bytes"/>.</summary>
    private static void Poke(ExchangeContext context, string marker, byte[] bytes)
    {
        var at = context.Request.Buffer.AsSpan(0, context.Request.Length).IndexOf(Encoding.ASCII.GetBytes(marker));
        Assert.True(at >= 0);
        bytes.CopyTo(context.Request.Buffer, at);
    }

    [Theory]
    [InlineData(new byte[] { (byte)'\r', (byte)'\n' })]
    [InlineData(new byte[] { 0, 0 })]
    [InlineData(new byte[] { 0x1b, 0x7f })]
    public void A_value_holding_a_byte_not_allowed_in_a_field_value_is_refused(byte[] bad)
    {
        var context = Parsed("GET / HTTP/1.1\r\nHost: a\r\nX-In: aXYb\r\n\r\n");
        var template = ValueTemplate.Parse("v={header:X-In}", out var error)!;
        Assert.Equal("", error);
        Assert.True(template.TryRender(context, out var fine));
        Assert.Equal("v=aXYb", Encoding.ASCII.GetString(fine));

        Poke(context, "XY", bad);
        Assert.False(template.TryRender(context, out _));
    }

    [Fact]
    public void A_transform_drops_a_set_header_whose_value_is_refused_and_still_removes_the_clients_copies()
    {
        var context = Parsed("GET / HTTP/1.1\r\nHost: a\r\nX-In: aXYb\r\nX-Out: forged\r\n\r\n");
        Poke(context, "XY", "\r\n"u8.ToArray());
        var snapshot = PolicyGateway.Load(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 1), """
            [policies.t]
            type = "transform"
            request_headers = { set = { "X-Out" = "{header:X-In}" } }
            [routes.r]
            path = "/"
            cluster = "backend"
            policies = ["t"]
            """);
        var policy = Assert.Single(snapshot.Routes.Routes.Single().Policies.Request);
        Assert.True(policy.OnRequestAsync(context).IsCompletedSuccessfully);
        Assert.True(context.RequestEdits.Added.IsEmpty);
        var head = context.Request;
        Assert.All(Enumerable.Range(0, head.FieldCount).Where(i => Encoding.ASCII.GetString(head.Name(i)) == "X-Out"), i => Assert.True(head.Field(i).Drop));
    }
}
