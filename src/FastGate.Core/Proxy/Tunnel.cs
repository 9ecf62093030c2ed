using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using FastGate.Upstreams;

namespace FastGate.Proxy;

/// <summary>After a 101 Switching Protocols the two connections become an opaque two-way byte stream.</summary>
internal static class Tunnel
{
    private static readonly TimeSpan HalfCloseGrace = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Runs until both directions end, or one ends and the other has had <see cref="HalfCloseGrace"/>; then the
    /// other is stopped and awaited, so when this returns nothing reads the client's pipe any more.
    /// </summary>
    public static async Task RunAsync(PipeReader clientInput, PipeWriter clientOutput, UpstreamConnection upstream)
    {
        var stop = new StrongBox<bool>();
        var toUpstream = CopyAsync(clientInput, upstream.Output, stop);
        var toClient = CopyAsync(upstream.Input, clientOutput, stop);
        try
        {
            // When one side finishes, its end is half-closed by the copy; give the other side a moment to finish too.
            var first = await Task.WhenAny(toUpstream, toClient).ConfigureAwait(false);
            var other = first == toUpstream ? toClient : toUpstream;
            if (await Task.WhenAny(other, Task.Delay(HalfCloseGrace)).ConfigureAwait(false) != other)
            {
                Volatile.Write(ref stop.Value, true);
                clientInput.CancelPendingRead();
                upstream.Input.CancelPendingRead();
                await other.ConfigureAwait(false);
            }
        }
        finally
        {
            upstream.Destination.Pool.Discard(upstream);
        }
    }

    /// <summary>
    /// Copies until the source ends or the tunnel stops; any other cancelled read (a deadline check that raced the
    /// tunnel's start) is only an empty read.
    /// </summary>
    private static async Task CopyAsync(PipeReader source, PipeWriter destination, StrongBox<bool> stop)
    {
        try
        {
            while (true)
            {
                var result = await source.ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled && Volatile.Read(ref stop.Value)) break;
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
