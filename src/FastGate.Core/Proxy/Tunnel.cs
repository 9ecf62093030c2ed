using System.Buffers;
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

    /// <summary>Copies until the source ends; a cancelled read (a deadline check that raced the tunnel's start) is only an empty read.</summary>
    private static async Task CopyAsync(PipeReader source, PipeWriter destination)
    {
        try
        {
            while (true)
            {
                var result = await source.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                foreach (var segment in buffer) destination.Write(segment.Span);
                source.AdvanceTo(buffer.End);
                if (result.IsCompleted) break;
                if ((await destination.FlushAsync().ConfigureAwait(false)).IsCompleted) break;
            }
            await destination.FlushAsync().ConfigureAwait(false);
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
