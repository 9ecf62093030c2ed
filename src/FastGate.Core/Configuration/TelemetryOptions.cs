using System.Text;

namespace FastGate.Configuration;

/// <summary>The <c>[telemetry]</c> section: the request-ID header (empty: no request IDs).</summary>
public sealed record TelemetryOptions(string RequestIdHeader)
{
    public const string DefaultRequestIdHeader = "X-Request-ID";

    public static readonly TelemetryOptions Default = new(DefaultRequestIdHeader);

    /// <summary>The header name as bytes, encoded once.</summary>
    public byte[] RequestIdHeaderBytes { get; } = Encoding.ASCII.GetBytes(RequestIdHeader);
}
