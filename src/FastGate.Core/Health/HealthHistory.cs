namespace FastGate.Health;

/// <summary>The last <see cref="Capacity"/> probes of a destination, oldest first when read. Off the hot path: a lock.</summary>
public sealed class HealthHistory
{
    public const int Capacity = 32;

    private readonly Lock _lock = new();
    private readonly HealthCheckRecord[] _records = new HealthCheckRecord[Capacity];
    private int _count;
    private int _next;

    public void Add(HealthCheckRecord record)
    {
        lock (_lock)
        {
            _records[_next] = record;
            _next = (_next + 1) % Capacity;
            if (_count < Capacity) _count++;
        }
    }

    public HealthCheckRecord[] ToArray()
    {
        lock (_lock)
        {
            var result = new HealthCheckRecord[_count];
            var start = (_next - _count + Capacity) % Capacity;
            for (var i = 0; i < _count; i++) result[i] = _records[(start + i) % Capacity];
            return result;
        }
    }
}
