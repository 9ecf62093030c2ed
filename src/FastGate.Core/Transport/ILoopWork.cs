namespace FastGate.Transport;

/// <summary>Something to run on an event-loop thread, posted from another thread.</summary>
internal interface ILoopWork
{
    void Execute();
}
