using System.Net;
using FastGate.Configuration;
using static FastGate.Tests.Configuration.ConfigTestHelper;

namespace FastGate.Tests.Configuration;

public class AdminConfigTests
{
    [Fact]
    public void The_admin_listener_defaults_to_loopback_9901_without_a_token()
    {
        var admin = Valid(MinimalCluster).Admin;
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 9901), admin.Listen);
        Assert.Equal("", admin.Token);
    }

    [Fact]
    public void Listen_and_token_are_read_and_off_disables_the_listener()
    {
        var admin = Valid(MinimalCluster + "\n[admin]\nlisten = \"0.0.0.0:9100\"\ntoken = \"abc\"\n").Admin;
        Assert.Equal((new IPEndPoint(IPAddress.Any, 9100), "abc"), (admin.Listen, admin.Token));
        Assert.Null(Valid(MinimalCluster + "\n[admin]\nlisten = \"off\"\n").Admin.Listen);
    }

    [Fact]
    public void The_token_comes_from_the_environment() =>
        Assert.Equal("from-env", Valid(MinimalCluster, new() { ["FASTGATE_ADMIN__TOKEN"] = "from-env" }).Admin.Token);

    [Fact]
    public void A_bad_address_names_file_line_and_key()
    {
        var error = SingleError(MinimalCluster + "\n[admin]\nlisten = \"nowhere:99\"\n");
        Assert.Equal(("admin.listen", 4), (error.Key, error.Line));
        Assert.Contains("bad address \"nowhere:99\"", error.Message);
    }

    [Fact]
    public void A_token_with_a_space_or_control_character_is_refused()
    {
        Assert.Equal("admin.token", SingleError(MinimalCluster + "\n[admin]\ntoken = \"a b\"\n").Key);
        Assert.Equal("admin.token", SingleError(MinimalCluster + "\n[admin]\ntoken = \"a\\nb\"\n").Key);
    }

    [Fact]
    public void An_unknown_admin_key_is_an_error() =>
        Assert.Contains("unknown key \"tokn\"", SingleError(MinimalCluster + "\n[admin]\ntokn = \"x\"\n").Message);
}
