using System.Buffers;
using System.IO.Pipelines;
using FastGate.Transport;
using Microsoft.AspNetCore.Connections;

namespace FastGate.Tests.Transport;

/// <summary>
/// The epoll output (<see cref="SocketWriter"/>) once the kernel's buffer is full and the rest goes out in the
/// background: order, back-pressure, cancel, abort and completion, over real loopback sockets.
/// </summary>
public class SocketWriterTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>Writes <paramref name="chunk"/> until a flush has to wait (the client reads nothing), and returns that flush.</summary>
    private static async Task<Task<FlushResult>> StartAWaitingFlushAsync(PipeWriter output, byte[] chunk, List<byte>? written)
    {
        for (var i = 0; i < 4096; i++)
        {
            output.Write(chunk);
            written?.AddRange(chunk);
            var flush = output.FlushAsync();
            if (!flush.IsCompleted) return flush.AsTask();
            await flush;
        }
        throw new InvalidOperationException("no flush ever waited: the client's kernel buffers took 32 MiB");
    }

    [Fact]
    public async Task Small_writes_made_while_the_background_sends_arrive_after_the_earlier_ones_in_order()
    {
        await using var pair = await TransportPair.StartAsync(clientReceiveBuffer: 16 * 1024);
        var output = pair.Server.Transport.Output;
        var expected = new List<byte>();
        var writing = Task.Run(async () =>
        {
            // Many small flushes, most made while earlier bytes still wait for EPOLLOUT.
            for (var i = 0; i < 20_000; i++)
            {
                var piece = System.Text.Encoding.ASCII.GetBytes($"piece {i:D6};");
                output.Write(piece);
                lock (expected) expected.AddRange(piece);
                var result = await output.FlushAsync();
                Assert.False(result.IsCompleted || result.IsCanceled);
            }
        });
        await Task.Delay(300);
        var received = await pair.ClientReceiveAsync(20_000 * 13);
        await writing.WaitAsync(Timeout);
        Assert.Equal(expected.ToArray(), received);
    }

    [Fact]
    public async Task Completing_while_the_background_sends_delivers_everything_then_the_FIN()
    {
        await using var pair = await TransportPair.StartAsync(clientReceiveBuffer: 16 * 1024);
        var output = pair.Server.Transport.Output;
        var written = new List<byte>();
        _ = await StartAWaitingFlushAsync(output, TransportPair.RandomBytes(8 * 1024), written);
        output.Write("the end"u8);
        written.AddRange("the end"u8.ToArray());
        await output.CompleteAsync();
        // Reads to the end of the stream: only a FIN after the last byte ends it with exactly these bytes.
        var received = await pair.ClientReceiveAsync(written.Count + 1);
        Assert.Equal(written.ToArray(), received);
    }

    [Fact]
    public async Task A_waiting_flush_cancelled_comes_back_cancelled_and_the_bytes_still_arrive()
    {
        await using var pair = await TransportPair.StartAsync(clientReceiveBuffer: 16 * 1024);
        var output = pair.Server.Transport.Output;
        var chunk = TransportPair.RandomBytes(8 * 1024);
        var written = new List<byte>();
        var waiting = await StartAWaitingFlushAsync(output, chunk, written);
        output.CancelPendingFlush();
        var result = await waiting.WaitAsync(Timeout);
        Assert.True(result.IsCanceled);
        Assert.False(result.IsCompleted);
        Assert.Equal(written.ToArray(), await pair.ClientReceiveAsync(written.Count));
    }

    [Fact]
    public async Task A_cancel_with_no_flush_waiting_cancels_the_next_flush_only()
    {
        await using var pair = await TransportPair.StartAsync();
        var output = pair.Server.Transport.Output;
        output.CancelPendingFlush();
        output.Write("a"u8);
        Assert.True((await output.FlushAsync()).IsCanceled);
        output.Write("b"u8);
        Assert.False((await output.FlushAsync()).IsCanceled);
        Assert.Equal("ab"u8.ToArray(), await pair.ClientReceiveAsync(2));
    }

    [Fact]
    public async Task Abort_ends_a_waiting_flush_as_completed_instead_of_leaving_it_hanging()
    {
        await using var pair = await TransportPair.StartAsync(clientReceiveBuffer: 16 * 1024);
        var output = pair.Server.Transport.Output;
        var chunk = TransportPair.RandomBytes(8 * 1024);
        var waiting = await StartAWaitingFlushAsync(output, chunk, written: null);
        pair.Server.Abort(new ConnectionAbortedException("test abort"));
        var result = await waiting.WaitAsync(Timeout);
        Assert.True(result.IsCompleted);
        output.Write(chunk);
        Assert.True((await output.FlushAsync()).IsCompleted);
    }

    [Fact]
    public async Task A_span_larger_than_a_pool_block_is_sent_whole()
    {
        await using var pair = await TransportPair.StartAsync();
        var output = pair.Server.Transport.Output;
        var field = TransportPair.RandomBytes(3 * PinnedBlockMemoryPool.BlockSize + 17);
        output.Write("head:"u8);
        var span = output.GetSpan(field.Length);
        Assert.True(span.Length >= field.Length);
        field.CopyTo(span);
        output.Advance(field.Length);
        output.Write(":tail"u8);
        await output.FlushAsync();
        var received = await pair.ClientReceiveAsync(field.Length + 10);
        Assert.Equal([.. "head:"u8.ToArray(), .. field, .. ":tail"u8.ToArray()], received);
    }

    [Fact]
    public async Task Unflushed_bytes_are_not_sent_until_the_flush()
    {
        await using var pair = await TransportPair.StartAsync();
        var output = pair.Server.Transport.Output;
        output.Write("held"u8);
        Assert.Equal(4, output.UnflushedBytes);
        pair.Client.ReceiveTimeout = 300;
        var buffer = new byte[16];
        Assert.Throws<System.Net.Sockets.SocketException>(() => pair.Client.Receive(buffer));
        await output.FlushAsync();
        Assert.Equal(0, output.UnflushedBytes);
        Assert.Equal("held"u8.ToArray(), await pair.ClientReceiveAsync(4));
    }

    [Fact]
    public async Task A_second_flush_while_one_waits_is_refused_rather_than_completing_the_wrong_one()
    {
        await using var pair = await TransportPair.StartAsync(clientReceiveBuffer: 16 * 1024);
        var output = pair.Server.Transport.Output;
        var chunk = TransportPair.RandomBytes(8 * 1024);
        var waiting = await StartAWaitingFlushAsync(output, chunk, written: null);
        output.Write(chunk);
        Assert.Throws<InvalidOperationException>(() => { _ = output.FlushAsync(); });
        output.CancelPendingFlush();
        Assert.True((await waiting.WaitAsync(Timeout)).IsCanceled);
    }
}
