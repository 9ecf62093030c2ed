namespace FastGate.Telemetry;

/// <summary>The <c>code</c> label of request counters: the class of the status sent, or "none" when none was.</summary>
public static class StatusClass
{
    public static readonly string[] Labels = ["none", "1xx", "2xx", "3xx", "4xx", "5xx"];

    public static int Count => Labels.Length;

    public static int Of(int status) => status is >= 100 and <= 599 ? status / 100 : 0;
}
