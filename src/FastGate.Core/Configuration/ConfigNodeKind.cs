namespace FastGate.Configuration;

internal enum ConfigNodeKind : byte
{
    Table,
    String,
    Integer,
    Float,
    Boolean,
    DateTime,
    Array,
    /// <summary>Raw text from an environment variable, parsed as whatever type its key expects.</summary>
    EnvText,
}
