using static FastGate.Tests.Configuration.ConfigTestHelper;

namespace FastGate.Tests.Configuration;

/// <summary>The [limits] keys of response spooling, request buffering, the minimum body rate and lingering close.</summary>
public class BufferingConfigTests
{
    [Fact]
    public void The_keys_are_read_from_the_file()
    {
        var limits = Valid("""
            [limits]
            response_buffer = "8KiB"
            spool = false
            spool_dir = "/tmp"
            max_spool_per_response = "10MiB"
            max_spool_total = "1GiB"
            request_buffer = "16KiB"
            min_request_body_rate = 1000
            min_request_body_rate_grace = "2s"
            lingering_time = "10s"
            lingering_timeout = "1s"
            max_lingering_bytes = "1MiB"

            """ + MinimalCluster).Limits;
        Assert.Equal((8192, false, "/tmp", 10L << 20, 1L << 30), (limits.ResponseBuffer, limits.Spool, limits.SpoolDirectory, limits.MaxSpoolPerResponse, limits.MaxSpoolTotal));
        Assert.Equal((16384, 1000, TimeSpan.FromSeconds(2)), (limits.RequestBuffer, limits.MinRequestBodyRate, limits.MinRequestBodyRateGrace));
        Assert.Equal((TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), 1L << 20), (limits.LingeringTime, limits.LingeringTimeout, limits.MaxLingeringBytes));
    }

    [Fact]
    public void An_environment_variable_overrides_a_key()
        => Assert.Equal(0, Valid(MinimalCluster, new() { ["FASTGATE_LIMITS__REQUEST_BUFFER"] = "0" }).Limits.RequestBuffer);

    [Theory]
    [InlineData("request_buffer = \"1MiB\"", "limits.request_buffer", "out of range")]
    [InlineData("spool_dir = \"/no/such/dir\"", "limits.spool_dir", "does not exist")]
    [InlineData("spool = \"yes\"", "limits.spool", "a boolean")]
    [InlineData("min_request_body_rate = \"fast\"", "limits.min_request_body_rate", "bad size")]
    [InlineData("lingering_timeout = \"0s\"", "limits.lingering_timeout", "greater than zero")]
    public void A_bad_value_names_file_line_and_key(string line, string key, string message)
    {
        var error = SingleError("[limits]\nheader_timeout = \"5s\"\n" + line + "\n" + MinimalCluster);
        Assert.Equal((3, key), (error.Line, error.Key));
        Assert.Contains(message, error.Message);
    }
}
