namespace FastGate.Caching;

/// <summary>What a purge names: one URL, a path prefix, a path glob, or a tag.</summary>
public enum PurgeKind : byte
{
    Url,
    Prefix,
    Glob,
    Tag,
}
