using System.Text;
using FastGate.Telemetry.Logging;

namespace FastGate.Host;

/// <summary>
/// What <see cref="Configuration.ConfigReloader"/> writes, as error-log lines: its progress and results at notice, a
/// failed reload at error, a setting that needs a restart at warn; everything written to the errors writer at error.
/// </summary>
internal sealed class ReloadLogWriter(bool errors) : TextWriter
{
    public override Encoding Encoding => Encoding.UTF8;

    public override void WriteLine(string? value)
    {
        if (value is null) return;
        Log.Write(LevelOf(value), value);
    }

    public override void Write(char value) => throw new NotSupportedException("the reloader writes whole lines");

    private ErrorLogLevel LevelOf(string line)
    {
        if (errors || line.StartsWith("config reload failed", StringComparison.Ordinal)) return ErrorLogLevel.Error;
        return line.Contains("needs a restart", StringComparison.Ordinal) ? ErrorLogLevel.Warn : ErrorLogLevel.Notice;
    }
}
