using FastGate.Http;

namespace FastGate.Tests.Http;

/// <summary>The path-normalisation settings the tests name in their tables.</summary>
internal static class PathLimits
{
    public static HttpLimits For(string name) => name switch
    {
        "keep" => HttpLimits.Default with { EscapedSlashes = EscapedSlashHandling.Keep },
        "decode" => HttpLimits.Default with { EscapedSlashes = EscapedSlashHandling.Decode },
        "merge" => HttpLimits.Default with { MergeSlashes = true },
        "default" => HttpLimits.Default,
        _ => throw new ArgumentException($"unknown path settings \"{name}\"", nameof(name)),
    };
}
