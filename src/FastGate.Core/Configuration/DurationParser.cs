using System.Globalization;
using System.Text;

namespace FastGate.Configuration;

/// <summary>Durations such as "500ms", "10s", "5m", "1h", "1m30s", "1.5s".</summary>
public static class DurationParser
{
    /// <summary>Timers and cancellation sources reject anything longer (about 24.8 days).</summary>
    public static readonly TimeSpan Max = TimeSpan.FromMilliseconds(int.MaxValue);

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.Trim();
        double totalMs = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
            if (i == start || !double.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
                return false;
            var unitStart = i;
            while (i < s.Length && char.IsAsciiLetter(s[i])) i++;
            if (!TryUnit(s.AsSpan(unitStart, i - unitStart), out var unitMs)) return false;
            totalMs += number * unitMs;
        }
        if (totalMs > Max.TotalMilliseconds) return false;
        value = TimeSpan.FromMilliseconds(totalMs);
        return true;
    }

    private static bool TryUnit(ReadOnlySpan<char> unit, out double milliseconds)
    {
        milliseconds = unit switch
        {
            "ms" => 1,
            "s" => 1000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            _ => 0,
        };
        return milliseconds > 0;
    }

    /// <summary>The shortest form that parses back to the same value: "1m30s", "250ms", "0s".</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero) return "0s";
        var sb = new StringBuilder();
        var ms = (long)value.TotalMilliseconds;
        Append(sb, ref ms, 86_400_000, "d");
        Append(sb, ref ms, 3_600_000, "h");
        Append(sb, ref ms, 60_000, "m");
        Append(sb, ref ms, 1000, "s");
        Append(sb, ref ms, 1, "ms");
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, ref long ms, long unit, string suffix)
    {
        if (ms < unit) return;
        sb.Append(ms / unit).Append(suffix);
        ms %= unit;
    }

    /// <summary>A bare integer of seconds, as environment overrides may give.</summary>
    public static bool TryParseSeconds(string text, out TimeSpan value)
    {
        value = default;
        if (!long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > Max.TotalSeconds)
            return false;
        value = TimeSpan.FromSeconds(seconds);
        return true;
    }
}
