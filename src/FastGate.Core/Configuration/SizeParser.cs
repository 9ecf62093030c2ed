using System.Globalization;

namespace FastGate.Configuration;

/// <summary>Byte sizes such as "512B", "8KiB", "1MiB", "1KB" (= 1000), "1.5GiB".</summary>
public static class SizeParser
{
    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.Trim();
        var i = 0;
        while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
        if (i == 0 || !decimal.TryParse(s.AsSpan(0, i), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            return false;
        var multiplier = s[i..].Trim().ToLowerInvariant() switch
        {
            "b" => 1L,
            "kb" => 1000L,
            "mb" => 1000L * 1000,
            "gb" => 1000L * 1000 * 1000,
            "kib" => 1L << 10,
            "mib" => 1L << 20,
            "gib" => 1L << 30,
            _ => 0L,
        };
        if (multiplier == 0 || number * multiplier > long.MaxValue) return false;
        bytes = (long)(number * multiplier);
        return true;
    }

    /// <summary>"32KiB", "100MiB", "1MB", or plain bytes when no unit divides the value.</summary>
    public static string Format(long bytes)
    {
        if (bytes <= 0) return $"{bytes}B";
        if (bytes % (1L << 30) == 0) return $"{bytes >> 30}GiB";
        if (bytes % (1L << 20) == 0) return $"{bytes >> 20}MiB";
        if (bytes % (1L << 10) == 0) return $"{bytes >> 10}KiB";
        if (bytes % 1_000_000_000 == 0) return $"{bytes / 1_000_000_000}GB";
        if (bytes % 1_000_000 == 0) return $"{bytes / 1_000_000}MB";
        if (bytes % 1000 == 0) return $"{bytes / 1000}KB";
        return $"{bytes}B";
    }
}
