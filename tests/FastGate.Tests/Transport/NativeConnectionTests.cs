using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using FastGate.Tests.Integration;
using FastGate.Transport;
using Microsoft.AspNetCore.Connections;

namespace FastGate.Tests.Transport;

/// <summary>
/// A native transport's connections over real loopback sockets, one behaviour per test; each transport runs them all
/// (<see cref="EpollConnectionTests"/>, <see cref="UringConnectionTests"/>).
/// </summary>
public abstract class NativeConnectionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private protected abstract IConnectionListenerFactory Factory { get; }

    private protected abstract Task<ConnectionContext> ConnectAsync(IPEndPoint remote, TimeSpan timeout);

    /// <summary>The event loop <paramref name="connection"/> runs on, and the one running the caller.</summary>
    private protected abstract object LoopOf(ConnectionContext connection);

    private protected abstract object? CurrentLoop { get; }

    private Task<TransportPair> StartPairAsync(int? clientReceiveBuffer = null) => TransportPair.StartAsync(clientReceiveBuffer, Factory);

    [Fact]
    public async Task Bytes_dribbled_one_at_a_time_all_arrive_in_order()
    {
        await using var pair = await StartPairAsync();
        var sent = "GET /one-byte-at-a-time HTTP/1.1\r\n\r\n"u8.ToArray();
        var sending = Task.Run(async () =>
        {
            foreach (var b in sent)
            {
                pair.Client.Send([b]);
                await Task.Delay(2);
            }
        });
        var received = await ReadExactlyAsync(pair.Server.Transport.Input, sent.Length);
        await sending;
        Assert.Equal(sent, received);
    }

    [Fact]
    public async Task A_slow_reader_of_a_large_request_gets_every_byte_after_reading_paused()
    {
        // 8 MiB exceeds the input pipe's 1 MiB pause threshold: reading stops and must resume without a new edge.
        await using var pair = await StartPairAsync();
        var sent = TransportPair.RandomBytes(8 * 1024 * 1024);
        var sending = Task.Run(() => pair.Client.Send(sent));
        await Task.Delay(300); // let the pipe and both kernel buffers fill
        var input = pair.Server.Transport.Input;
        var received = new MemoryStream();
        while (received.Length < sent.Length)
        {
            var result = await input.ReadAsync().AsTask().WaitAsync(Timeout);
            // Consume in small bites, as a slow application would.
            var take = result.Buffer.Slice(0, Math.Min(result.Buffer.Length, 100_000));
            foreach (var segment in take) received.Write(segment.Span);
            input.AdvanceTo(take.End);
            Assert.False(result.IsCompleted && take.Length == result.Buffer.Length && received.Length < sent.Length, "input ended early");
        }
        await sending.WaitAsync(Timeout);
        Assert.Equal(sent, received.ToArray());
    }

    [Fact]
    public async Task A_slow_client_makes_the_server_wait_on_flush_and_still_gets_every_byte()
    {
        await using var pair = await StartPairAsync(clientReceiveBuffer: 16 * 1024);
        var sent = TransportPair.RandomBytes(4 * 1024 * 1024);
        var output = pair.Server.Transport.Output;
        var waitedOnFlush = false;
        var writing = Task.Run(async () =>
        {
            for (var offset = 0; offset < sent.Length; offset += 32 * 1024)
            {
                output.Write(sent.AsSpan(offset, Math.Min(32 * 1024, sent.Length - offset)));
                var flush = output.FlushAsync();
                if (!flush.IsCompleted) waitedOnFlush = true;
                Assert.False((await flush).IsCompleted);
            }
        });
        await Task.Delay(500); // the client reads nothing for a while: the kernel buffers and the output pipe fill
        var received = await pair.ClientReceiveAsync(sent.Length);
        await writing.WaitAsync(Timeout);
        Assert.True(waitedOnFlush, "the output pipe never applied back-pressure");
        Assert.Equal(sent, received);
    }

    [Fact]
    public async Task Peer_FIN_completes_the_input_after_its_data_and_the_output_still_works()
    {
        await using var pair = await StartPairAsync();
        pair.Client.Send("last words"u8);
        pair.Client.Shutdown(SocketShutdown.Send);

        var input = pair.Server.Transport.Input;
        var text = "";
        while (true)
        {
            var result = await input.ReadAsync().AsTask().WaitAsync(Timeout);
            text = System.Text.Encoding.ASCII.GetString(result.Buffer.ToArray());
            input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            if (result.IsCompleted) break;
        }
        Assert.Equal("last words", text);
        // (Awaited, not waited on: this code may be running on the loop thread, inline from the completion.)
        var closed = new TaskCompletionSource();
        using (pair.Server.ConnectionClosed.Register(() => closed.TrySetResult()))
            await closed.Task.WaitAsync(Timeout);

        await pair.Server.Transport.Output.WriteAsync("reply"u8.ToArray());
        Assert.Equal("reply"u8.ToArray(), await pair.ClientReceiveAsync(5));
    }

    [Fact]
    public async Task Peer_RST_fails_a_pending_read_with_a_connection_reset()
    {
        await using var pair = await StartPairAsync();
        var input = pair.Server.Transport.Input;
        var reading = input.ReadAsync().AsTask();
        await Task.Delay(100);
        Assert.False(reading.IsCompleted);
        pair.Client.LingerState = new LingerOption(true, 0);
        pair.Client.Close(); // RST

        var ex = await Assert.ThrowsAnyAsync<IOException>(() => reading.WaitAsync(Timeout));
        Assert.IsType<ConnectionResetException>(ex);
    }

    [Fact]
    public async Task Writes_to_a_reset_peer_end_in_a_completed_flush_not_a_crash()
    {
        await using var pair = await StartPairAsync();
        pair.Client.LingerState = new LingerOption(true, 0);
        pair.Client.Close();
        await Task.Delay(100);
        var output = pair.Server.Transport.Output;
        var completed = false;
        for (var i = 0; i < 50 && !completed; i++)
        {
            output.Write(new byte[1024]);
            completed = (await output.FlushAsync().AsTask().WaitAsync(Timeout)).IsCompleted;
            await Task.Delay(10);
        }
        Assert.True(completed, "flushes to a reset connection never reported completion");
    }

    [Fact]
    public async Task Large_bodies_cross_in_both_directions_at_once()
    {
        await using var pair = await StartPairAsync();
        var up = TransportPair.RandomBytes(6 * 1024 * 1024);
        var down = TransportPair.RandomBytes(5 * 1024 * 1024 + 17);

        var clientSends = Task.Run(() => pair.Client.Send(up));
        var clientReceives = pair.ClientReceiveAsync(down.Length);
        var serverSends = Task.Run(async () =>
        {
            // Mixed write sizes, several segments per flush, so gathered sends are exercised.
            var output = pair.Server.Transport.Output;
            var random = new Random(1);
            for (var offset = 0; offset < down.Length;)
            {
                var n = Math.Min(random.Next(1, 70_000), down.Length - offset);
                output.Write(down.AsSpan(offset, n));
                offset += n;
                if (random.Next(3) == 0) await output.FlushAsync();
            }
            await output.FlushAsync();
        });
        var serverReceived = await ReadExactlyAsync(pair.Server.Transport.Input, up.Length);

        await Task.WhenAll(clientSends, serverSends).WaitAsync(Timeout);
        Assert.Equal(up, serverReceived);
        Assert.Equal(down, await clientReceives.WaitAsync(Timeout));
    }

    [Fact]
    public async Task Abort_while_a_read_is_pending_fails_it_with_ConnectionAborted_and_closes_the_socket()
    {
        await using var pair = await StartPairAsync();
        var reading = pair.Server.Transport.Input.ReadAsync().AsTask();
        await Task.Delay(100);
        Assert.False(reading.IsCompleted);

        pair.Server.Abort(new ConnectionAbortedException("test abort"));

        var ex = await Assert.ThrowsAsync<ConnectionAbortedException>(() => reading.WaitAsync(Timeout));
        Assert.Equal("test abort", ex.Message);
        Assert.Empty(await pair.ClientReceiveAsync(1)); // the client sees the connection end
        await pair.Server.DisposeAsync().AsTask().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Completing_the_output_half_closes_and_the_input_stays_open()
    {
        await using var pair = await StartPairAsync();
        var output = pair.Server.Transport.Output;
        await output.WriteAsync("bye"u8.ToArray());
        await output.CompleteAsync();
        Assert.Equal("bye"u8.ToArray(), await pair.ClientReceiveAsync(100)); // then EOF

        pair.Client.Send("still here"u8);
        Assert.Equal("still here"u8.ToArray(), await ReadExactlyAsync(pair.Server.Transport.Input, 10));
    }

    [Fact]
    public async Task Dispose_sends_what_was_written_then_closes()
    {
        await using var pair = await StartPairAsync();
        pair.Server.Transport.Output.Write("unflushed tail"u8);
        await pair.Server.DisposeAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal("unflushed tail"u8.ToArray(), await pair.ClientReceiveAsync(100));
    }

    [Fact]
    public async Task Endpoints_are_those_of_the_accepted_socket()
    {
        await using var pair = await StartPairAsync();
        Assert.Equal(pair.Client.LocalEndPoint, pair.Server.RemoteEndPoint);
        Assert.Equal(pair.Client.RemoteEndPoint, pair.Server.LocalEndPoint);
    }

    [Fact]
    public async Task An_unbound_listener_returns_null_from_a_pending_accept()
    {
        var listener = await Factory.BindAsync(new IPEndPoint(IPAddress.Loopback, 0));
        var accepting = listener.AcceptAsync().AsTask();
        await listener.UnbindAsync();
        Assert.Null(await accepting.WaitAsync(Timeout));
        await listener.DisposeAsync();
    }

    [Fact]
    public async Task Binding_a_port_in_use_throws_AddressInUse()
    {
        var listener = await Factory.BindAsync(new IPEndPoint(IPAddress.Loopback, 0));
        await Assert.ThrowsAsync<AddressInUseException>(async () => await Factory.BindAsync(listener.EndPoint));
        await listener.DisposeAsync();
    }

    [Fact]
    public async Task Connect_reaches_a_listener_and_carries_bytes_both_ways()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepting = listener.AcceptSocketAsync();
        var connection = await ConnectAsync((IPEndPoint)listener.LocalEndpoint, TimeSpan.FromSeconds(5));
        using var peer = await accepting;
        await connection.Transport.Output.WriteAsync("ping"u8.ToArray());
        var buffer = new byte[4];
        Assert.Equal(4, await peer.ReceiveAsync(buffer));
        Assert.Equal("ping"u8.ToArray(), buffer);
        peer.Send("pong"u8);
        Assert.Equal("pong"u8.ToArray(), await ReadExactlyAsync(connection.Transport.Input, 4));
        Assert.Equal(listener.LocalEndpoint, connection.RemoteEndPoint);
        await connection.DisposeAsync();
    }

    [Fact]
    public async Task Connect_to_a_closed_port_is_refused()
    {
        using var refusing = new RefusingPort();
        var ex = await Assert.ThrowsAsync<SocketException>(() => ConnectAsync(refusing.EndPoint, TimeSpan.FromSeconds(5)));
        Assert.Equal(SocketError.ConnectionRefused, ex.SocketErrorCode);
    }

    [Fact]
    public async Task Connect_that_gets_no_answer_times_out()
    {
        // A listener that never accepts, its queue full: further SYNs are dropped and connects hang.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var fillers = Enumerable.Range(0, 4).Select(_ => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)).ToList();
        try
        {
            foreach (var filler in fillers) _ = filler.ConnectAsync(listener.LocalEndPoint!).ContinueWith(static _ => { });
            await Task.Delay(200);
            var started = DateTime.UtcNow;
            await Assert.ThrowsAnyAsync<OperationCanceledException>(
                () => ConnectAsync((IPEndPoint)listener.LocalEndPoint!, TimeSpan.FromMilliseconds(300)));
            Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
        }
        finally
        {
            foreach (var filler in fillers) filler.Dispose();
        }
    }

    [Fact]
    public async Task An_upstream_connected_from_a_loop_thread_joins_that_loop()
    {
        using var upstream = new TcpListener(IPAddress.Loopback, 0);
        upstream.Start();
        await using var pair = await StartPairAsync();
        var server = pair.Server;
        var connected = new TaskCompletionSource<(object? Caller, object Joined)>();
        var reading = Task.Run(async () =>
        {
            // Runs on after the read inline, on the loop thread that received the bytes.
            await pair.Server.Transport.Input.ReadAsync();
            var caller = CurrentLoop;
            var connection = await ConnectAsync((IPEndPoint)upstream.LocalEndpoint, TimeSpan.FromSeconds(5));
            connected.SetResult((caller, LoopOf(connection)));
            await connection.DisposeAsync();
        });
        await Task.Delay(100);
        pair.Client.Send("x"u8);
        var (callerLoop, joined) = await connected.Task.WaitAsync(Timeout);
        Assert.Same(LoopOf(server), callerLoop);
        Assert.Same(LoopOf(server), joined);
        await reading.WaitAsync(Timeout);
    }

    private static async Task<byte[]> ReadExactlyAsync(PipeReader input, int count)
    {
        var received = new MemoryStream();
        while (received.Length < count)
        {
            var result = await input.ReadAsync().AsTask().WaitAsync(Timeout);
            foreach (var segment in result.Buffer) received.Write(segment.Span);
            input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted) break;
        }
        return received.ToArray();
    }
}
