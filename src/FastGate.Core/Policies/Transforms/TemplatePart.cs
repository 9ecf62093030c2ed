namespace FastGate.Policies.Transforms;

/// <summary>A literal run of bytes, or a variable (with the header or claim name it reads).</summary>
internal readonly record struct TemplatePart(VariableKind Kind, byte[] Bytes);
