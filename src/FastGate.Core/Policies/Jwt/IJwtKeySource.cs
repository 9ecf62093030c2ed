namespace FastGate.Policies.Jwt;

/// <summary>
/// Where a JWT policy's keys come from: <c>secret</c>, <c>public_key_file</c> and <c>jwks_file</c> are read at
/// load (<see cref="StaticKeySource"/>); <c>jwks</c> is fetched and refreshed (<see cref="JwksUrlSource"/>).
/// </summary>
internal interface IJwtKeySource
{
    /// <summary>The keys now; null until a first fetch has succeeded.</summary>
    JwtKeySet? Keys { get; }

    /// <summary>Waits for a first key set (starts fetching when nothing has); null when none could be had.</summary>
    Task<JwtKeySet?> LoadAsync();

    /// <summary>
    /// A token names a kid no key has: a refresh now if one is allowed (rate-limited), else null. The task gives the
    /// key set after it (the last good one when it failed).
    /// </summary>
    Task<JwtKeySet?>? RefreshForUnknownKid();
}
