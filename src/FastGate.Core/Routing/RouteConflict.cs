namespace FastGate.Routing;

/// <summary>Two routes with the same host pattern, the same path shape and overlapping methods: <see cref="Second"/> could never win.</summary>
public sealed record RouteConflict(Route First, Route Second);
