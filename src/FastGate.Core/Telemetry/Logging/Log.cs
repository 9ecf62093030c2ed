using FastGate.Configuration;

namespace FastGate.Telemetry.Logging;

/// <summary>
/// The process's error log, for messages from anywhere (the event loops, the spool, the host): what was written
/// with <c>Console.Error.WriteLine</c> before. Until the gateway configures it, it writes plain warn lines to stderr.
/// </summary>
public static class Log
{
    private static ErrorLog? s_current;

    internal static ErrorLog Current
    {
        get
        {
            if (Volatile.Read(ref s_current) is { } log) return log;
            var made = new ErrorLog(ErrorLogOptions.Default);
            if (Interlocked.CompareExchange(ref s_current, made, null) is { } raced)
            {
                made.Dispose();
                return raced;
            }
            return made;
        }
    }

    public static bool IsEnabled(ErrorLogLevel level) => Current.IsEnabled(level);

    public static void Write(ErrorLogLevel level, string message) => Current.Write(level, message);

    public static void Error(string message) => Write(ErrorLogLevel.Error, message);

    public static void Warn(string message) => Write(ErrorLogLevel.Warn, message);

    public static void Notice(string message) => Write(ErrorLogLevel.Notice, message);

    public static void Info(string message) => Write(ErrorLogLevel.Info, message);
}
