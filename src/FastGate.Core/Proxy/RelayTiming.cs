using FastGate.Deadlines;

namespace FastGate.Proxy;

/// <summary>
/// The deadlines a body relay keeps: each read from <see cref="Source"/> must make progress within
/// <see cref="Idle"/> (and keep up with <see cref="Rate"/>, when set), and each flush that waits on
/// <see cref="Destination"/> must finish within <see cref="Send"/>; no read waits past <see cref="NotAfter"/> (a
/// <see cref="Heartbeat"/> time: the exchange's deadline).
/// </summary>
internal readonly record struct RelayTiming(PipeDeadlines Source, PipeDeadlines Destination, TimeSpan Idle, TimeSpan Send,
    BodyRate Rate = default, long NotAfter = Heartbeat.Never);
