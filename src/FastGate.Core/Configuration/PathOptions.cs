using FastGate.Http;

namespace FastGate.Configuration;

/// <summary>The config names of <see cref="EscapedSlashHandling"/>: <c>server.escaped_slashes = "reject" | "keep" | "decode"</c>.</summary>
internal static class PathOptions
{
    public static bool TryParseEscapedSlashes(string text, out EscapedSlashHandling handling)
    {
        switch (text)
        {
            case "reject": handling = EscapedSlashHandling.Reject; return true;
            case "keep": handling = EscapedSlashHandling.Keep; return true;
            case "decode": handling = EscapedSlashHandling.Decode; return true;
            default: handling = default; return false;
        }
    }

    public static string Format(EscapedSlashHandling handling) => handling switch
    {
        EscapedSlashHandling.Keep => "keep",
        EscapedSlashHandling.Decode => "decode",
        _ => "reject",
    };
}
