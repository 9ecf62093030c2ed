using FastGate.Configuration;
using static FastGate.Tests.Configuration.ConfigTestHelper;

namespace FastGate.Tests.Configuration;

public class TelemetryConfigTests
{
    [Fact]
    public void Request_ids_default_to_X_Request_ID() =>
        Assert.Equal("X-Request-ID", Valid(MinimalCluster).Telemetry.RequestIdHeader);

    [Fact]
    public void The_request_id_header_can_be_renamed_or_turned_off()
    {
        Assert.Equal("X-Correlation-ID", Valid(MinimalCluster + "\n[telemetry]\nrequest_id_header = \"X-Correlation-ID\"\n").Telemetry.RequestIdHeader);
        var off = Valid(MinimalCluster + "\n[telemetry]\nrequest_id_header = \"\"\n").Telemetry;
        Assert.Empty(off.RequestIdHeaderBytes);
    }

    [Theory]
    [InlineData("X Request")]
    [InlineData("X-Id:")]
    [InlineData("Réquest-Id")]
    public void A_request_id_header_that_is_not_a_field_name_is_refused(string name)
    {
        var error = SingleError(MinimalCluster + $"\n[telemetry]\nrequest_id_header = \"{name}\"\n");
        Assert.Equal(("telemetry.request_id_header", 4), (error.Key, error.Line));
        Assert.Contains("is not a header name", error.Message);
    }

    [Theory]
    [InlineData("Content-Length")]
    [InlineData("connection")]
    [InlineData("Host")]
    [InlineData("X-Forwarded-For")]
    public void A_header_the_gateway_handles_itself_cannot_carry_request_ids(string name) =>
        Assert.Contains("handles itself", SingleError(MinimalCluster + $"\n[telemetry]\nrequest_id_header = \"{name}\"\n").Message);
}
