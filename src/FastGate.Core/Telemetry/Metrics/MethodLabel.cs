using FastGate.Http;

namespace FastGate.Telemetry;

/// <summary>The <c>method</c> label: the standard methods by name, every other one as "OTHER" (bounded cardinality).</summary>
public static class MethodLabel
{
    public static readonly string[] Labels = ["OTHER", "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT"];

    public static int Count => Labels.Length;

    public static int Of(HttpMethod method) => (int)method < Labels.Length ? (int)method : 0;
}
