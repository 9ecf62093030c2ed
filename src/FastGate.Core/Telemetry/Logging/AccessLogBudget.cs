namespace FastGate.Telemetry.Logging;

/// <summary>
/// The most bytes of a line each client field may take once escaped; a longer one is cut and ends in "...". Together
/// they fit the formatting buffer, so a line is never dropped for its size.
/// </summary>
internal static class AccessLogBudget
{
    public const int Target = 8 * 1024;
    public const int UserAgent = 1024;
    public const int Referer = 2 * 1024;
    public const int Host = 512;
    /// <summary>Method, protocol, client address, request ID.</summary>
    public const int Short = 256;

    /// <summary>The formatting buffer: every budget (the request line once in combined) and the fixed text around them.</summary>
    public const int LineBuffer = 16 * 1024;
}
