using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace FastGate.SampleUpstream;

/// <summary>One loop per connection: parse what arrived, answer every complete request, flush once.</summary>
public sealed class HelloConnectionHandler : ConnectionHandler
{
    private readonly ResponseTable _table;

    public HelloConnectionHandler(ResponseTable table) => _table = table;

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        int port = (connection.LocalEndPoint as IPEndPoint)?.Port ?? 0;
        var stream = new RequestStream(_table.For(port));
        PipeReader input = connection.Transport.Input;
        PipeWriter output = connection.Transport.Output;
        // On shutdown, wake an idle keep-alive read so the process exits at once instead of
        // waiting for Kestrel's shutdown timeout.
        using var closing = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?
            .ConnectionClosedRequested.Register(static state => ((PipeReader)state!).CancelPendingRead(), input);
        try
        {
            while (true)
            {
                ReadResult read = await input.ReadAsync();
                var buffer = read.Buffer;
                StreamOutcome outcome = stream.Process(ref buffer, output, out int responses);
                input.AdvanceTo(buffer.Start, buffer.End);

                if (responses > 0)
                {
                    FlushResult flushed = await output.FlushAsync();
                    if (flushed.IsCompleted)
                    {
                        break;
                    }
                }
                if (outcome == StreamOutcome.Close || read.IsCompleted || read.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (ConnectionResetException)
        {
        }
        catch (IOException)
        {
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            await input.CompleteAsync();
            await output.CompleteAsync();
        }
    }
}
