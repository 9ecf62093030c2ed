using System.Text.Json.Serialization;
using FastGate.Telemetry;

namespace FastGate.Host.Admin;

/// <summary>Requests per second over the last 1, 10 and 60 seconds (<see cref="RequestRate"/>), to a tenth.</summary>
internal sealed record RateReport(
    [property: JsonPropertyName("1s")] double Over1s,
    [property: JsonPropertyName("10s")] double Over10s,
    [property: JsonPropertyName("60s")] double Over60s)
{
    public static RateReport Of(RequestRate rate) => new(Round(rate.PerSecond(1)), Round(rate.PerSecond(10)), Round(rate.PerSecond(60)));

    public static double[] History(RequestRate rate) => [.. rate.History().Select(Round)];

    private static double Round(double value) => Math.Round(value, 1);
}
