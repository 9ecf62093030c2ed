namespace FastGate.Policies.Jwt;

/// <summary>Keys read once at load: an inline or environment <c>secret</c>, a <c>public_key_file</c> or a <c>jwks_file</c>.</summary>
internal sealed class StaticKeySource(JwtKeySet keys) : IJwtKeySource
{
    private readonly Task<JwtKeySet?> _loaded = Task.FromResult<JwtKeySet?>(keys);

    public JwtKeySet? Keys { get; } = keys;

    public Task<JwtKeySet?> LoadAsync() => _loaded;

    public Task<JwtKeySet?>? RefreshForUnknownKid() => null;
}
