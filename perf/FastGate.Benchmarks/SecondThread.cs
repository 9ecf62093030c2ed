namespace FastGate.Benchmarks;

/// <summary>A worker thread that runs a loop whenever the benchmark thread runs it, so both contend for shared state.</summary>
internal sealed class SecondThread : IDisposable
{
    private readonly SemaphoreSlim _go = new(0), _done = new(0);
    private readonly Thread _thread;
    private volatile Func<int>? _loop; // null stops the worker
    private int _result;

    public SecondThread(string name)
    {
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Runs <paramref name="loop"/> here and on the worker at once; returns the sum of both results.</summary>
    public int RunOnBoth(Func<int> loop)
    {
        _loop = loop;
        _go.Release();
        var mine = loop();
        _done.Wait();
        return mine + _result;
    }

    private void Run()
    {
        while (true)
        {
            _go.Wait();
            var loop = _loop;
            if (loop is null) return;
            _result = loop();
            _done.Release();
        }
    }

    public void Dispose()
    {
        _loop = null;
        _go.Release();
        _thread.Join();
    }
}
