namespace FastGate.Routing;

/// <summary>The kind of one "/"-separated segment of a path pattern. The order is the specificity order.</summary>
public enum RouteSegmentKind : byte
{
    /// <summary>Byte-exact, case-sensitive text.</summary>
    Literal,
    /// <summary><c>{name}</c>: exactly one non-empty segment.</summary>
    Parameter,
    /// <summary><c>{**name}</c> or a trailing <c>*</c>: zero or more remaining segments.</summary>
    CatchAll,
}
