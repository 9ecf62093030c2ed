using System.Text.Json.Nodes;
using FastGate.Configuration;
using static FastGate.Tests.Configuration.ConfigTestHelper;

namespace FastGate.Tests.Configuration;

/// <summary>What <c>/admin/config</c> shows of a snapshot: every key, effective values in config syntax, secrets masked.</summary>
public class EffectiveConfigTests
{
    private const string Config = MinimalCluster + """

        [clusters.sticky]
        destinations = [{ address = "127.0.0.1:9002", weight = 3 }, "127.0.0.1:9003"]
        balancer = "weighted_round_robin"
        sticky = { mode = "cookie", secret = "0123456789abcdef-Sticky" }
        retry = { attempts = 2, on = ["reset", "503"] }
        outlier = { consecutive_failures = 3 }
        circuit_breaker = { failure_rate = 25.5 }

        [routes.api]
        path = "/api/{**rest}"
        cluster = "backend"
        methods = ["GET", "HEAD"]
        strip_prefix = "/api"
        policies = ["limit", "cors", "tag"]

        [policies.limit]
        type = "rate_limit"
        rate = 10
        [policies.cors]
        type = "cors"
        allow_origins = ["https://app.example.com"]
        [policies.tag]
        type = "transform"
        request_headers = { set = { "X-Gateway" = "fastgate" } }
        """;

    [Fact]
    public void Every_key_of_every_section_is_shown()
    {
        var config = EffectiveConfig.Describe(Valid(Config));
        Assert.Equal(ConfigSchema.Sections.Order(), config.Select(s => s.Key).Order());
        foreach (var section in ConfigSchema.Sections)
        {
            var tables = ConfigSchema.IsNamedSection(section)
                ? config[section]!.AsObject().Select(entry => entry.Value!.AsObject()).ToList()
                : [config[section]!.AsObject()];
            Assert.NotEmpty(tables);
            foreach (var table in tables)
            {
                // A key added to ConfigSchema and not to EffectiveConfig fails here; a policy shows the keys of its type.
                var keys = section == ConfigSchema.Policies ? FastGate.Policies.PolicyBinder.KeysOf(table["type"]!.GetValue<string>()) : ConfigSchema.KeysOf(section);
                Assert.Equal(keys.Order(), table.Select(k => k.Key).Order());
            }
        }
        var cluster = config["clusters"]!["sticky"]!;
        Assert.Equal(StickyBinder.Keys.Order(), cluster["sticky"]!.AsObject().Select(k => k.Key).Order());
        Assert.Equal(RetryBinder.Keys.Order(), cluster["retry"]!.AsObject().Select(k => k.Key).Order());
        Assert.Equal(OutlierBinder.Keys.Order(), cluster["outlier"]!.AsObject().Select(k => k.Key).Order());
        Assert.Equal(CircuitBreakerBinder.Keys.Order(), cluster["circuit_breaker"]!.AsObject().Select(k => k.Key).Order());
        Assert.Equal("""{"consecutive_failures":3,"base_ejection":"30s","max_ejection":"5m","max_ejection_percent":50}""", cluster["outlier"]!.ToJsonString());
        Assert.Equal("""{"failure_rate":25.5,"window":"10s","min_requests":20,"open_duration":"30s","half_open_requests":3}""",
            cluster["circuit_breaker"]!.ToJsonString());
    }

    [Fact]
    public void Weights_sticky_sessions_and_retries_show_as_configured_and_the_sticky_secret_is_masked()
    {
        var config = EffectiveConfig.Describe(Valid(Config));
        Assert.DoesNotContain("0123456789abcdef-Sticky", config.ToJsonString());
        var sticky = config["clusters"]!["sticky"]!;
        Assert.Equal("""[{"address":"127.0.0.1:9002","weight":3},{"address":"127.0.0.1:9003","weight":1}]""", sticky["destinations"]!.ToJsonString());
        Assert.Equal("""{"mode":"cookie","cookie":"fg_route","header":null,"on_failure":"redistribute","secret":"***"}""", sticky["sticky"]!.ToJsonString());
        Assert.Equal("""{"attempts":2,"on":["reset","503"],"methods":["GET","HEAD","PUT","DELETE","OPTIONS","TRACE"],"backoff":"25ms","max_backoff":"1s","max_body":"64KiB","budget_percent":20}""",
            sticky["retry"]!.ToJsonString());
        var plain = config["clusters"]!["backend"]!;
        Assert.Null(plain["sticky"]);
        Assert.Null(plain["retry"]);
        var unsigned = EffectiveConfig.Describe(Valid(MinimalCluster + "\nsticky = { mode = \"cookie\" }\n"));
        Assert.Equal("", (string?)unsigned["clusters"]!["backend"]!["sticky"]!["secret"]);
    }

    [Fact]
    public void Defaults_are_filled_in_and_durations_and_sizes_read_as_in_config_toml()
    {
        var config = EffectiveConfig.Describe(Valid(Config, new() { ["FASTGATE_LIMITS__HEADER_TIMEOUT"] = "90" }));
        var limits = config["limits"]!;
        Assert.Equal("1m30s", (string?)limits["header_timeout"]);
        Assert.Equal("1m15s", (string?)limits["keepalive_timeout"]);
        Assert.Equal("32KiB", (string?)limits["max_header_bytes"]);
        Assert.Equal("100MiB", (string?)limits["max_request_body"]);
        Assert.Equal(100L, (long)limits["max_header_count"]!);
        Assert.True((bool)limits["spool"]!);
        Assert.Equal("30s", (string?)config["server"]!["drain_timeout"]);
        Assert.Equal("127.0.0.1:9901", (string?)config["admin"]!["listen"]);
        Assert.Equal("never", (string?)config["tracing"]!["sampler"]);
        var cluster = config["clusters"]!["backend"]!;
        Assert.Equal(["127.0.0.1:9001"], cluster["destinations"]!.AsArray().Select(d => (string?)d));
        Assert.Equal("round_robin", (string?)cluster["balancer"]);
        Assert.Equal("1m", (string?)cluster["idle_timeout"]);
        var route = config["routes"]!["api"]!;
        Assert.Equal(["GET", "HEAD"], route["methods"]!.AsArray().Select(m => (string?)m));
        Assert.Equal("/api", (string?)route["strip_prefix"]);
        Assert.Null(route["host"]);
        Assert.Null(route["add_prefix"]);
    }

    [Fact]
    public void The_admin_token_shows_as_stars_when_set_from_the_file_or_the_environment()
    {
        Assert.Equal("", (string?)EffectiveConfig.Describe(Valid(Config))["admin"]!["token"]);

        var fromFile = EffectiveConfig.Describe(Valid(Config + "\n[admin]\ntoken = \"Sup3r-Secret\"\n"));
        Assert.Equal(EffectiveConfig.Mask, (string?)fromFile["admin"]!["token"]);
        Assert.DoesNotContain("Sup3r-Secret", fromFile.ToJsonString());

        var fromEnv = EffectiveConfig.Describe(Valid(Config, new() { ["FASTGATE_ADMIN__TOKEN"] = "Env-Secret" }));
        Assert.Equal(EffectiveConfig.Mask, (string?)fromEnv["admin"]!["token"]);
        Assert.DoesNotContain("Env-Secret", fromEnv.ToJsonString());
    }

    [Fact]
    public void A_URL_shows_without_its_user_and_password()
    {
        var config = EffectiveConfig.Describe(Valid(Config + "\n[tracing]\nendpoint = \"https://me:pa55@collector:4318/v1/traces\"\n"));
        Assert.Equal("https://***@collector:4318/v1/traces", (string?)config["tracing"]!["endpoint"]);
        Assert.DoesNotContain("pa55", config.ToJsonString());
        Assert.Equal("http://collector:4318/v1/traces@x", EffectiveConfig.MaskUserInfo("http://collector:4318/v1/traces@x"));
        Assert.Equal("127.0.0.1:9001", EffectiveConfig.MaskUserInfo("127.0.0.1:9001"));
    }

    [Theory]
    [InlineData("admin", "token")]
    [InlineData("jwt", "secret")]
    [InlineData("policies", "hmac_secret")]
    [InlineData("cache", "redis_password")]
    [InlineData("cache", "PASSWORD")]
    [InlineData("upstream", "client_private_key")]
    [InlineData("exporter", "api_key")]
    [InlineData("exporter", "bearer_token")]
    [InlineData("oauth", "client_credentials")]
    public void Keys_named_like_secrets_are_secrets(string section, string key) => Assert.True(ConfigSchema.IsSecret(section, key));

    [Fact]
    public void Of_the_keys_there_are_today_only_the_marked_ones_are_secret()
    {
        var keys = ConfigSchema.Sections.SelectMany(s => ConfigSchema.KeysOf(s).Select(k => (Section: s, Key: k)))
            .Concat(StickyBinder.Keys.Select(k => (Section: "clusters.sticky", Key: k)))
            .Concat(RetryBinder.Keys.Select(k => (Section: "clusters.retry", Key: k)))
            .Concat(OutlierBinder.Keys.Select(k => (Section: "clusters.outlier", Key: k)))
            .Concat(CircuitBreakerBinder.Keys.Select(k => (Section: "clusters.circuit_breaker", Key: k)));
        Assert.Equal(ConfigSchema.SecretKeys, keys.Where(k => ConfigSchema.IsSecret(k.Section, k.Key)).Select(k => $"{k.Section}.{k.Key}"));
    }

    [Fact]
    public void An_error_about_a_secret_shows_no_quoted_value()
    {
        var secret = EffectiveConfig.Redact(new ConfigError("c.toml", 3, "admin.token", "bad token \"hunter2\" (expected \"x\")"));
        Assert.Equal("bad token \"***\" (expected \"***\")", secret.Message);
        Assert.Equal(("c.toml", 3, "admin.token"), (secret.File, secret.Line, secret.Key));
        var plain = new ConfigError("c.toml", 4, "limits.header_timeout", "bad duration \"10 parsecs\"");
        Assert.Same(plain, EffectiveConfig.Redact(plain));
    }
}
