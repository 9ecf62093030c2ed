using FastGate.Configuration;
using FastGate.Upstreams;
using Microsoft.AspNetCore.Http;

namespace FastGate.Host.Admin;

/// <summary>
/// <c>POST /admin/upstreams/{cluster}/{destination}/drain</c> and <c>/undrain</c>: the destination ("host:port", as
/// configured or resolved; URL-encoded as needed) leaves or rejoins the cluster's available set. 404 with a JSON
/// error for a cluster or destination the running config does not have.
/// </summary>
internal static class UpstreamDrain
{
    public static IResult Set(ConfigReloader config, string cluster, string destination, bool draining, TextWriter output)
    {
        var result = config.Upstreams.SetDraining(cluster, destination, draining, out var state);
        if (result != DrainResult.Done)
        {
            var error = result == DrainResult.UnknownCluster
                ? $"no cluster \"{cluster}\" in the running config"
                : $"cluster \"{cluster}\" has no destination \"{destination}\"";
            return Results.Json(new AdminError(error), AdminJsonContext.Default.AdminError, statusCode: StatusCodes.Status404NotFound);
        }
        var available = config.Upstreams.TryGetCluster(cluster, out var clusterState) ? clusterState.Available.Length : 0;
        output.WriteLine($"upstream {state!.Config.Address} of cluster {cluster}: {(draining ? "draining" : "undrained")} " +
            $"(POST /admin/upstreams; {available} available, {state.InFlight} in flight)");
        return Results.Json(new DrainReport(cluster, state.Config.Address, state.Draining, state.InFlight, state.Pool.OpenConnections,
            state.Pool.IdleConnections, available), AdminJsonContext.Default.DrainReport);
    }
}
