namespace FastGate.Policies.Transforms;

/// <summary>A header set or appended by a transform: its name, and the value template.</summary>
internal sealed record HeaderChange(byte[] Name, ValueTemplate Value);
