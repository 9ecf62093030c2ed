using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace FastGate.Routing;

/// <summary>
/// A compiled path pattern such as <c>/api/{version}/{**rest}</c>, matched against UTF-8 path bytes without allocating.
/// The path is split on "/" after its leading "/", so "/" is one empty segment and "/api/" is "api" plus an empty one.
/// </summary>
public sealed class RoutePattern
{
    private RoutePattern(string text, RouteSegment[] segments)
    {
        Text = text;
        Segments = segments;
        HasCatchAll = segments.Length > 0 && segments[^1].Kind == RouteSegmentKind.CatchAll;
        Shape = BuildShape(segments);
    }

    public string Text { get; }

    public RouteSegment[] Segments { get; }

    public bool HasCatchAll { get; }

    /// <summary>The pattern with parameter names erased: two patterns with the same shape match the same paths.</summary>
    public string Shape { get; }

    public static RoutePattern Parse(string text) =>
        TryParse(text, out var pattern, out var error) ? pattern : throw new FormatException($"invalid path pattern \"{text}\": {error}");

    public static bool TryParse(string? text, [NotNullWhen(true)] out RoutePattern? pattern, [NotNullWhen(false)] out string? error)
    {
        pattern = null;
        if (string.IsNullOrEmpty(text) || text[0] != '/')
        {
            error = "must start with \"/\"";
            return false;
        }
        if (text.AsSpan().IndexOfAny('?', '#') >= 0 || text.AsSpan().ContainsAnyInRange('\0', ' '))
        {
            error = "must not contain a query, fragment, space or control character";
            return false;
        }

        var parts = text[1..].Split('/');
        var segments = new RouteSegment[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            var last = i == parts.Length - 1;
            if (!TryParseSegment(part, last, out segments[i], out error))
                return false;
        }
        pattern = new RoutePattern(text, segments);
        error = null;
        return true;
    }

    private static bool TryParseSegment(string part, bool last, out RouteSegment segment, [NotNullWhen(false)] out string? error)
    {
        segment = default;
        error = null;
        if (part == "*")
        {
            if (!last) { error = "catch-all \"*\" must be the last segment"; return false; }
            segment = new RouteSegment(RouteSegmentKind.CatchAll, [], null);
            return true;
        }
        if (part.StartsWith('{'))
        {
            if (!part.EndsWith('}') || part.Length < 2) { error = $"unterminated parameter \"{part}\""; return false; }
            var inner = part[1..^1];
            var catchAll = inner.StartsWith('*');
            var name = inner.TrimStart('*');
            if (name.Length == 0) { error = "empty parameter name"; return false; }
            foreach (var c in name)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c != '_' && c != '-')
                {
                    error = $"invalid parameter name \"{name}\"";
                    return false;
                }
            }
            if (catchAll && !last) { error = $"catch-all \"{part}\" must be the last segment"; return false; }
            segment = new RouteSegment(catchAll ? RouteSegmentKind.CatchAll : RouteSegmentKind.Parameter, [], name);
            return true;
        }
        if (part.AsSpan().IndexOfAny('{', '}', '*') >= 0)
        {
            error = $"segment \"{part}\": a parameter or \"*\" must be a whole segment";
            return false;
        }
        if (part.Length == 0 && !last)
        {
            error = "empty segment (\"//\")";
            return false;
        }
        segment = new RouteSegment(RouteSegmentKind.Literal, Encoding.UTF8.GetBytes(part), null);
        return true;
    }

    /// <summary>Whether the origin-form path (no query) matches. Allocates nothing.</summary>
    public bool Matches(ReadOnlySpan<byte> path)
    {
        if (path.IsEmpty || path[0] != (byte)'/') return false;
        var rest = path[1..];
        var more = true; // a path always has at least one (possibly empty) segment
        var segments = Segments;
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            if (segment.Kind == RouteSegmentKind.CatchAll) return true;
            if (!more) return false;

            var slash = rest.IndexOf((byte)'/');
            var current = slash < 0 ? rest : rest[..slash];
            if (segment.Kind == RouteSegmentKind.Literal)
            {
                if (!current.SequenceEqual(segment.Literal)) return false;
            }
            else if (current.IsEmpty)
            {
                return false;
            }

            if (slash < 0)
            {
                more = false;
                rest = default;
            }
            else
            {
                rest = rest[(slash + 1)..];
            }
        }
        return !more;
    }

    /// <summary>
    /// Negative when <paramref name="a"/> is more specific. Patterns compare segment by segment, ranked
    /// literal &lt; parameter &lt; end of pattern &lt; catch-all. Ranking "end" between them makes this a total
    /// order that still puts "/api" before "/api/{**rest}" (no catch-all beats catch-all) and "/api/{v}"
    /// before "/api" (more segments beat fewer); a plain "fewer segments last" rule is not transitive.
    /// </summary>
    public static int CompareSpecificity(RoutePattern a, RoutePattern b)
    {
        var length = Math.Max(a.Segments.Length, b.Segments.Length);
        for (var i = 0; i < length; i++)
        {
            var c = Rank(a, i).CompareTo(Rank(b, i));
            if (c != 0) return c;
        }
        return 0;
    }

    private static int Rank(RoutePattern pattern, int index)
    {
        if (index >= pattern.Segments.Length) return 2;
        return pattern.Segments[index].Kind switch
        {
            RouteSegmentKind.Literal => 0,
            RouteSegmentKind.Parameter => 1,
            _ => 3,
        };
    }

    private static string BuildShape(RouteSegment[] segments)
    {
        var sb = new StringBuilder();
        foreach (var s in segments)
        {
            sb.Append('/');
            sb.Append(s.Kind switch
            {
                RouteSegmentKind.Literal => "=" + Encoding.UTF8.GetString(s.Literal),
                RouteSegmentKind.Parameter => "{}",
                _ => "**",
            });
        }
        return sb.ToString();
    }

    public override string ToString() => Text;
}
