using System.Text;
using FastGate.Telemetry;

namespace FastGate.Tests.Telemetry;

public class PrometheusTextWriterTests
{
    [Fact]
    public void Label_values_are_escaped_so_no_value_can_break_a_line()
    {
        var text = new StringBuilder();
        var writer = new PrometheusTextWriter(text);
        writer.Family("x_total", "counter", "Help with \\ and\nnewline.");
        writer.Sample("x_total", [new("route", "a\"b\\c\nd")], 3);
        Assert.Equal("# HELP x_total Help with \\\\ and\\nnewline.\n# TYPE x_total counter\nx_total{route=\"a\\\"b\\\\c\\nd\"} 3\n", text.ToString());
    }

    [Fact]
    public void A_histogram_writes_its_buckets_then_sum_and_count()
    {
        var text = new StringBuilder();
        new PrometheusTextWriter(text).Histogram("d_seconds", [new("route", "r")], [0.5, 1], [2, 3], 4, 7.25);
        Assert.Equal("""
            d_seconds_bucket{route="r",le="0.5"} 2
            d_seconds_bucket{route="r",le="1"} 3
            d_seconds_bucket{route="r",le="+Inf"} 4
            d_seconds_sum{route="r"} 7.25
            d_seconds_count{route="r"} 4

            """.ReplaceLineEndings("\n"), text.ToString());
    }
}
