namespace FastGate.SampleUpstream;

/// <summary>Precomputed responses per listening port.</summary>
public sealed class ResponseTable
{
    private readonly Dictionary<int, Responses> _byPort;
    private readonly Responses _fallback;

    public ResponseTable(IEnumerable<int> ports)
    {
        _byPort = ports.Distinct().ToDictionary(p => p, p => new Responses(p));
        _fallback = new Responses(0);
    }

    public Responses For(int port) => _byPort.TryGetValue(port, out var r) ? r : _fallback;
}
