namespace FastGate.Routing;

/// <summary>The kind of a route's host pattern; the order is the specificity order.</summary>
public enum HostPatternKind : byte
{
    Exact,
    Wildcard,
    Any,
}
