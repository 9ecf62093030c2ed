using System.Diagnostics;
using System.Text;
using FastGate.Telemetry.Tracing;

namespace FastGate.Tests.Telemetry.Tracing;

public class TraceParentTests
{
    private const string Valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    private static bool Parse(string value, out TraceParent parent) => TraceParent.TryParse(Encoding.Latin1.GetBytes(value), out parent);

    [Fact]
    public void A_valid_header_gives_its_ids_and_flag()
    {
        Assert.True(Parse(Valid, out var parent));
        Assert.Equal(("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", true),
            (parent.TraceId.ToHexString(), parent.SpanId.ToHexString(), parent.Sampled));
        Assert.True(Parse(Valid[..^2] + "00", out parent));
        Assert.False(parent.Sampled);
        Assert.True(Parse(Valid[..^2] + "03", out parent));
        Assert.True(parent.Sampled);
    }

    [Fact]
    public void A_later_version_may_carry_more_after_a_dash()
    {
        Assert.True(Parse("01" + Valid[2..] + "-what-comes-next", out var parent));
        Assert.Equal("00f067aa0ba902b7", parent.SpanId.ToHexString());
        Assert.True(Parse("01" + Valid[2..], out _));
        Assert.False(Parse("01" + Valid[2..] + "x", out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7")]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra")] // version 00 is exactly 55 bytes
    [InlineData("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")]
    [InlineData("00-00000000000000000000000000000000-00f067aa0ba902b7-01")]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01")]
    [InlineData("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01")]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01")]
    [InlineData("00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")]
    [InlineData("0-04bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x")]
    public void Malformed_headers_are_refused(string value) => Assert.False(Parse(value, out _));

    [Fact]
    public void Whitespace_around_the_value_is_ignored() => Assert.True(Parse(" " + Valid + "\t", out _));

    [Fact]
    public void Format_writes_a_sampled_version_00_header_that_parses_back()
    {
        var trace = ActivityTraceId.CreateRandom();
        var span = ActivitySpanId.CreateRandom();
        var buffer = new byte[TraceParent.Length];
        TraceParent.Format(trace, span, buffer);
        var text = Encoding.ASCII.GetString(buffer);
        Assert.Equal($"00-{trace.ToHexString()}-{span.ToHexString()}-01", text);
        Assert.True(Parse(text, out var parent));
        Assert.Equal((trace, span, true), (parent.TraceId, parent.SpanId, parent.Sampled));
    }
}
