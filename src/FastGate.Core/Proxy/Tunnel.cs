using System.IO.Pipelines;
using FastGate.Upstreams;

namespace FastGate.Proxy;

/// <summary>After a 101 Switching Protocols the two connections become an opaque two-way byte stream.</summary>
internal static class Tunnel
{
    private static readonly TimeSpan HalfCloseGrace = TimeSpan.FromSeconds(5);

    public static async Task RunAsync(PipeReader clientInput, PipeWriter clientOutput, UpstreamConnection upstream)
    {
        var toUpstream = CopyAsync(clientInput, upstream.Output);
        var toClient = CopyAsync(upstream.Input, clientOutput);
        try
        {
            // When one side finishes, its end is half-closed by the copy; give the other side a moment to finish too.
            var first = await Task.WhenAny(toUpstream, toClient).ConfigureAwait(false);
            var other = first == toUpstream ? toClient : toUpstream;
            await Task.WhenAny(other, Task.Delay(HalfCloseGrace)).ConfigureAwait(false);
        }
        finally
        {
            upstream.Destination.Pool.Discard(upstream);
        }
    }

    private static async Task CopyAsync(PipeReader source, PipeWriter destination)
    {
        try
        {
            await source.CopyToAsync(destination).ConfigureAwait(false);
        }
        catch (Exception ex) when (BodyRelay.IsTransportError(ex))
        {
            // either side reset: the tunnel ends
        }
        finally
        {
            await destination.CompleteAsync().ConfigureAwait(false);
        }
    }
}
