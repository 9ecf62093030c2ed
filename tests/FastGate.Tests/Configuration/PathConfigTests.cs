using FastGate.Configuration;
using FastGate.Http;
using static FastGate.Tests.Configuration.ConfigTestHelper;

namespace FastGate.Tests.Configuration;

/// <summary>server.escaped_slashes and server.merge_slashes.</summary>
public class PathConfigTests
{
    [Fact]
    public void Defaults_reject_escaped_slashes_and_keep_double_slashes()
    {
        var limits = Valid(MinimalCluster).Limits;
        Assert.Equal(EscapedSlashHandling.Reject, limits.EscapedSlashes);
        Assert.False(limits.MergeSlashes);
        Assert.Contains("paths     escaped slashes reject, \"//\" kept", SnapshotSummary.Describe(Valid(MinimalCluster)));
    }

    [Theory]
    [InlineData("reject", EscapedSlashHandling.Reject)]
    [InlineData("keep", EscapedSlashHandling.Keep)]
    [InlineData("decode", EscapedSlashHandling.Decode)]
    public void Escaped_slashes_is_read_from_the_file_and_the_environment(string value, EscapedSlashHandling expected)
    {
        Assert.Equal(expected, Valid($"[server]\nescaped_slashes = \"{value}\"\n" + MinimalCluster).Limits.EscapedSlashes);
        Assert.Equal(expected, Valid(MinimalCluster, new() { ["FASTGATE_SERVER__ESCAPED_SLASHES"] = value }).Limits.EscapedSlashes);
    }

    [Fact]
    public void Merge_slashes_can_be_turned_on_and_survives_the_limits_section()
    {
        var limits = Valid("[server]\nmerge_slashes = true\n[limits]\nmax_header_count = 7\n" + MinimalCluster).Limits;
        Assert.True(limits.MergeSlashes);
        Assert.Equal(7, limits.MaxHeaderCount);
        Assert.True(Valid(MinimalCluster, new() { ["FASTGATE_SERVER__MERGE_SLASHES"] = "true" }).Limits.MergeSlashes);
    }

    [Fact]
    public void Unknown_escaped_slashes_value_names_file_line_and_key()
    {
        var error = SingleError("[server]\ndrain_timeout = \"1s\"\nescaped_slashes = \"allow\"\n" + MinimalCluster);
        Assert.Equal("config.toml:3: server.escaped_slashes: unknown value \"allow\" (expected \"reject\", \"keep\" or \"decode\")", error.ToString());
    }

    [Fact]
    public void Merge_slashes_must_be_a_boolean()
    {
        var error = SingleError("[server]\nmerge_slashes = \"yes\"\n" + MinimalCluster);
        Assert.Equal(2, error.Line);
        Assert.Equal("server.merge_slashes", error.Key);
        Assert.Contains("a boolean", error.Message);
    }
}
