using System.Globalization;
using System.Text;

namespace FastGate.Telemetry;

/// <summary>
/// The Prometheus text exposition format (version 0.0.4): a <c># HELP</c> and <c># TYPE</c> line per family, then
/// one line per sample with its labels escaped. Off the hot path: it runs per scrape.
/// </summary>
public sealed class PrometheusTextWriter(StringBuilder output)
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public void Family(string name, string type, string help) =>
        output.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(help)).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    public void Sample(string name, ReadOnlySpan<KeyValuePair<string, string>> labels, long value) =>
        Labels(name, labels).Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');

    public void Sample(string name, ReadOnlySpan<KeyValuePair<string, string>> labels, double value) =>
        Labels(name, labels).Append(Format(value)).Append('\n');

    /// <summary>A histogram: cumulative <c>_bucket</c> lines for each upper bound and <c>+Inf</c>, then <c>_sum</c> and <c>_count</c>.</summary>
    public void Histogram(string name, ReadOnlySpan<KeyValuePair<string, string>> labels, ReadOnlySpan<double> bounds,
        ReadOnlySpan<long> cumulativeCounts, long count, double sum)
    {
        Span<KeyValuePair<string, string>> withBound = new KeyValuePair<string, string>[labels.Length + 1];
        labels.CopyTo(withBound);
        for (var i = 0; i < bounds.Length; i++)
        {
            withBound[^1] = new("le", Format(bounds[i]));
            Sample(name + "_bucket", withBound, cumulativeCounts[i]);
        }
        withBound[^1] = new("le", "+Inf");
        Sample(name + "_bucket", withBound, count);
        Sample(name + "_sum", labels, sum);
        Sample(name + "_count", labels, count);
    }

    private StringBuilder Labels(string name, ReadOnlySpan<KeyValuePair<string, string>> labels)
    {
        output.Append(name);
        if (labels.Length == 0) return output.Append(' ');
        output.Append('{');
        for (var i = 0; i < labels.Length; i++)
        {
            if (i > 0) output.Append(',');
            output.Append(labels[i].Key).Append("=\"");
            AppendEscapedValue(labels[i].Value);
            output.Append('"');
        }
        return output.Append("} ");
    }

    private void AppendEscapedValue(string value)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': output.Append("\\\\"); break;
                case '"': output.Append("\\\""); break;
                case '\n': output.Append("\\n"); break;
                default: output.Append(c); break;
            }
        }
    }

    private static string EscapeHelp(string help) => help.Replace("\\", "\\\\").Replace("\n", "\\n");

    private static string Format(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" : double.IsNegativeInfinity(value) ? "-Inf" : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);
}
