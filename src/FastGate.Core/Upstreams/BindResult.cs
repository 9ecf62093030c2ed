namespace FastGate.Upstreams;

/// <summary>What binding a config changed: destinations that came into use, and ones that started draining.</summary>
public readonly record struct BindResult(int Added, int Removed);
