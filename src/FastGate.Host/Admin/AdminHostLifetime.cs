using Microsoft.Extensions.Hosting;

namespace FastGate.Host.Admin;

/// <summary>
/// The admin host's lifetime: none of its own. ASP.NET Core's default (the console lifetime) registers for SIGTERM
/// and Ctrl-C, so a SIGTERM arriving while the admin listener binds cancelled its start and crashed the process;
/// and once running it would stop the admin listener at the start of a drain. Signals belong to the gateway, which
/// stops this host itself.
/// </summary>
internal sealed class AdminHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
