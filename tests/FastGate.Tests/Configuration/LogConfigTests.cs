using FastGate.Configuration;
using FastGate.Telemetry.Logging;
using static FastGate.Tests.Configuration.ConfigTestHelper;

namespace FastGate.Tests.Configuration;

public class LogConfigTests
{
    [Fact]
    public void The_access_log_is_off_and_the_error_log_is_warn_plain_to_stderr_by_default()
    {
        var snapshot = Valid(MinimalCluster);
        Assert.Equal(AccessLogOptions.Off, snapshot.AccessLog);
        Assert.False(snapshot.AccessLog.Enabled);
        Assert.Equal(new ErrorLogOptions(ErrorLogLevel.Warn, "stderr", ErrorLogFormat.Plain), snapshot.ErrorLog);
    }

    [Fact]
    public void Every_key_is_read()
    {
        var directory = Path.GetTempPath();
        var snapshot = Valid(MinimalCluster + $$"""

            [access_log]
            output = "{{directory}}access.log"
            format = "combined"
            buffer = "4MiB"
            [telemetry]
            log_level = "debug"
            error_log = "{{directory}}error.log"
            error_log_format = "json"
            """);
        Assert.Equal(new AccessLogOptions(Path.Combine(directory, "access.log"), AccessLogFormat.Combined, 4 << 20), snapshot.AccessLog);
        Assert.Equal(new ErrorLogOptions(ErrorLogLevel.Debug, Path.Combine(directory, "error.log"), ErrorLogFormat.Json), snapshot.ErrorLog);
        Assert.Equal("stdout", Valid(MinimalCluster + "\n[access_log]\noutput = \"stdout\"\n").AccessLog.Output);
        Assert.Null(Valid(MinimalCluster + "\n[access_log]\noutput = \"off\"\n").AccessLog.Output);
    }

    [Fact]
    public void Environment_variables_override_the_keys()
    {
        var snapshot = Valid(MinimalCluster, new()
        {
            ["FASTGATE_ACCESS_LOG__OUTPUT"] = "stdout",
            ["FASTGATE_ACCESS_LOG__BUFFER"] = "65536",
            ["FASTGATE_TELEMETRY__LOG_LEVEL"] = "info",
        });
        Assert.Equal(("stdout", 65536), (snapshot.AccessLog.Output, snapshot.AccessLog.BufferBytes));
        Assert.Equal(ErrorLogLevel.Info, snapshot.ErrorLog.Level);
    }

    [Theory]
    [InlineData("[access_log]\nformat = \"apache\"\n", "access_log.format", "unknown format \"apache\" (expected \"json\" or \"combined\")")]
    [InlineData("[access_log]\nbuffer = \"1KiB\"\n", "access_log.buffer", "out of range")]
    [InlineData("[access_log]\noutput = \"/no/such/dir/access.log\"\n", "access_log.output", "directory \"/no/such/dir\" does not exist")]
    [InlineData("[access_log]\noutput = \"/tmp\"\n", "access_log.output", "is a directory")]
    [InlineData("[access_log]\nbufer = 1\n", "access_log.bufer", "did you mean \"buffer\"")]
    [InlineData("[telemetry]\nlog_level = \"warning\"\n", "telemetry.log_level", "unknown level \"warning\" (expected debug, info, notice, warn, error)")]
    [InlineData("[telemetry]\nerror_log = \"\"\n", "telemetry.error_log", "expected \"stderr\", \"stdout\" or a file path")]
    [InlineData("[telemetry]\nerror_log_format = \"xml\"\n", "telemetry.error_log_format", "unknown format \"xml\"")]
    public void A_bad_value_names_its_key(string section, string key, string message)
    {
        var error = SingleError(MinimalCluster + "\n" + section);
        Assert.Equal(key, error.Key);
        Assert.Equal(4, error.Line);
        Assert.Contains(message, error.Message);
    }
}
