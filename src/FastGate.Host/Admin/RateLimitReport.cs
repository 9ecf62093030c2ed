using FastGate.Configuration;
using FastGate.Policies.RateLimiting;

namespace FastGate.Host.Admin;

/// <summary>
/// One rate limit on one route in <c>/admin/stats</c>' <c>rate_limits</c>: what it allows (its rule as configured) and
/// the requests it answered 429 (<c>fastgate_rate_limited_total{route,policy}</c>). <c>burst</c> is null but for a token bucket.
/// </summary>
internal sealed record RateLimitReport(string Route, string Policy, string Algorithm, string Key, int Rate, string Period, int? Burst, long Rejected)
{
    public static RateLimitReport[] Of(GatewaySnapshot snapshot)
    {
        var reports = new List<RateLimitReport>();
        foreach (var limit in RateLimitPolicy.All(snapshot))
        {
            var rule = limit.Definition.Rule;
            var burst = rule.Algorithm == RateLimitAlgorithm.TokenBucket ? rule.Burst : (int?)null;
            reports.Add(new RateLimitReport(limit.Route, limit.Definition.Name, Label(rule.Algorithm), rule.Key, rule.Rate,
                DurationParser.Format(rule.Period), burst, limit.Rejected));
        }
        return [.. reports];
    }

    private static string Label(RateLimitAlgorithm algorithm) => algorithm switch
    {
        RateLimitAlgorithm.FixedWindow => "fixed_window",
        RateLimitAlgorithm.SlidingWindow => "sliding_window",
        _ => "token_bucket",
    };
}
