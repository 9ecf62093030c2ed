using System.Text;
using FastGate.Proxy;

namespace FastGate.Telemetry.Logging;

/// <summary>The words log lines use for an exchange's outcome and error, snake_case as in the config, encoded once.</summary>
internal static class LogLabels
{
    private static readonly byte[][] Errors = Build<ProxyError>();
    private static readonly byte[][] Outcomes = Build<ExchangeOutcome>();

    /// <summary><c>upstream_connect_failed</c> for <see cref="ProxyError.UpstreamConnectFailed"/>; empty for none.</summary>
    public static ReadOnlySpan<byte> Of(ProxyError error) => error == ProxyError.None ? default : Errors[(int)error];

    public static ReadOnlySpan<byte> Of(ExchangeOutcome outcome) => Outcomes[(int)outcome];

    private static byte[][] Build<T>() where T : struct, Enum
    {
        var values = Enum.GetValues<T>();
        var labels = new byte[values.Length][];
        for (var i = 0; i < values.Length; i++) labels[i] = Encoding.ASCII.GetBytes(SnakeCase(values[i].ToString()));
        return labels;
    }

    internal static string SnakeCase(string name)
    {
        var text = new StringBuilder(name.Length + 8);
        foreach (var c in name)
        {
            if (char.IsUpper(c) && text.Length > 0) text.Append('_');
            text.Append(char.ToLowerInvariant(c));
        }
        return text.ToString();
    }
}
