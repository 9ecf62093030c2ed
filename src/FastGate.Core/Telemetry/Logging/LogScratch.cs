namespace FastGate.Telemetry.Logging;

/// <summary>The buffer each thread formats its log lines in, made on its first line and kept: no allocation per line.</summary>
internal static class LogScratch
{
    [ThreadStatic] private static byte[]? t_buffer;

    public static Span<byte> Buffer => t_buffer ??= new byte[AccessLogBudget.LineBuffer];
}
