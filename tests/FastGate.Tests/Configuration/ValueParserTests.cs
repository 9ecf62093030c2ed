using FastGate.Configuration;
using static FastGate.Tests.Configuration.ConfigTestHelper;

namespace FastGate.Tests.Configuration;

public class ValueParserTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("10s", 10_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1h2m3s4ms", 3_723_004)]
    [InlineData("1.5s", 1500)]
    [InlineData(" 2s ", 2000)]
    [InlineData("0s", 0)]
    public void Parses_durations(string text, long ms)
    {
        Assert.True(DurationParser.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(ms), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("s")]
    [InlineData("10 s")]
    [InlineData("10sec")]
    [InlineData("-5s")]
    [InlineData("1m30")]
    [InlineData("30d")]
    public void Rejects_bad_durations(string text) => Assert.False(DurationParser.TryParse(text, out _));

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(500, "500ms")]
    [InlineData(90_000, "1m30s")]
    [InlineData(3_600_000, "1h")]
    public void Formats_durations(long ms, string text)
    {
        Assert.Equal(text, DurationParser.Format(TimeSpan.FromMilliseconds(ms)));
        Assert.True(DurationParser.TryParse(text, out var back));
        Assert.Equal(TimeSpan.FromMilliseconds(ms), back);
    }

    [Fact]
    public void Integer_durations_are_seconds()
    {
        var s = Valid("[limits]\nheader_timeout = 7\n[server]\ndrain_timeout = 0\n");
        Assert.Equal(TimeSpan.FromSeconds(7), s.Limits.HeaderTimeout);
        Assert.Equal(TimeSpan.Zero, s.DrainTimeout);
    }

    [Theory]
    [InlineData("512B", 512)]
    [InlineData("8KiB", 8192)]
    [InlineData("1MiB", 1_048_576)]
    [InlineData("1GiB", 1_073_741_824)]
    [InlineData("1KB", 1000)]
    [InlineData("2MB", 2_000_000)]
    [InlineData("1.5KiB", 1536)]
    [InlineData("8kib", 8192)]
    [InlineData("8 KiB", 8192)]
    public void Parses_sizes(string text, long bytes)
    {
        Assert.True(SizeParser.TryParse(text, out var value));
        Assert.Equal(bytes, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("512")]
    [InlineData("KiB")]
    [InlineData("8XB")]
    [InlineData("-1KiB")]
    [InlineData("99999999999GiB")]
    public void Rejects_bad_sizes(string text) => Assert.False(SizeParser.TryParse(text, out _));

    [Theory]
    [InlineData(8192, "8KiB")]
    [InlineData(1_000_000, "1MB")]
    [InlineData(100L * 1024 * 1024, "100MiB")]
    [InlineData(513, "513B")]
    public void Formats_sizes(long bytes, string text) => Assert.Equal(text, SizeParser.Format(bytes));

    [Fact]
    public void Integer_sizes_are_bytes()
    {
        var s = Valid("[limits]\nmax_header_bytes = 4096\nmax_request_body = \"512B\"\n");
        Assert.Equal(4096, s.Limits.MaxHeaderBytes);
        Assert.Equal(512, s.Limits.MaxRequestBodyBytes);
    }
}
