using FastGate.Telemetry.Logging;

namespace FastGate.Configuration;

/// <summary>
/// The <c>[access_log]</c> section: where lines go (null: off, "stdout", or a file path), their format, and the bytes
/// of the in-memory buffer between the requests and the writer thread.
/// </summary>
public sealed record AccessLogOptions(string? Output, AccessLogFormat Format, int BufferBytes)
{
    public const int DefaultBufferBytes = 1 << 20;

    public static readonly AccessLogOptions Off = new(null, AccessLogFormat.Json, DefaultBufferBytes);

    public bool Enabled => Output is not null;
}
