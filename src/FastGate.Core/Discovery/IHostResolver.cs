using System.Net;

namespace FastGate.Discovery;

/// <summary>Looks up the addresses of a host name, off the hot path: <see cref="SystemHostResolver"/>, or a test's own.</summary>
public interface IHostResolver
{
    /// <summary>Every address of <paramref name="host"/>; throws when it cannot be resolved.</summary>
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}
