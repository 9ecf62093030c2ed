using System.Text;
using FastGate.Telemetry.Logging;

namespace FastGate.Tests.Telemetry.Logging;

public class LogEscapingTests
{
    private static string Json(byte[] input, int room = 1024)
    {
        var output = new byte[room];
        var written = LogEscaping.Json(input, output, out _);
        return Encoding.UTF8.GetString(output, 0, written);
    }

    private static string Combined(byte[] input, int room = 1024)
    {
        var output = new byte[room];
        var written = LogEscaping.Combined(input, output, out _);
        return Encoding.ASCII.GetString(output, 0, written);
    }

    [Fact]
    public void Json_escapes_quotes_backslashes_controls_and_invalid_utf8_and_keeps_valid_utf8()
    {
        byte[] input = [.. "a\"b\\c\r\n\t\u0001"u8, 0x7F, .. "é€😀"u8, 0xFF, 0xC3, (byte)'x', 0xE2, 0x82];
        Assert.Equal(@"a\""b\\c\u000D\u000A\u0009\u0001\u007Fé€😀\u00FF\u00C3x\u00E2\u0082", Json(input));
    }

    [Fact]
    public void Combined_escapes_as_nginx_does()
    {
        byte[] input = [.. "GET /a\"b\\c d\r\n"u8, 0x7F, 0xC3, 0xA9, 0xFF];
        Assert.Equal(@"GET /a\x22b\x5Cc d\x0D\x0A\x7F\xC3\xA9\xFF", Combined(input));
    }

    [Fact]
    public void Text_keeps_quotes_but_not_newlines()
    {
        var output = new byte[64];
        var written = LogEscaping.Text("bad \"x\"\nforged"u8, output, out _);
        Assert.Equal("bad \"x\"\\u000Aforged", Encoding.UTF8.GetString(output, 0, written));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    public void A_value_that_does_not_fit_is_cut_between_escapes_never_inside_one(int room)
    {
        byte[] input = [(byte)'a', 0x01, (byte)'b', .. "é"u8];
        var output = new byte[room];
        var written = LogEscaping.Json(input, output, out var consumed);
        // "a" then "\u0001" (6 bytes) only when 7 fit; the 2-byte é never half.
        Assert.Equal(room >= 7 ? (7, 2) : (1, 1), (written, consumed));
        var combined = LogEscaping.Combined(input, output, out consumed);
        Assert.Equal(room >= 6 ? (6, 3) : (5, 2), (combined, consumed));
    }
}
