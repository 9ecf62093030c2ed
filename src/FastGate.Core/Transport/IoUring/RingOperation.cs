namespace FastGate.Transport.IoUring;

/// <summary>Which of a connection's operations a completion is for: bits 24–31 of its user data.</summary>
internal enum RingOperation : byte
{
    Receive = 1,
    Send = 2,
    ConnectPoll = 3,
    Cancel = 4,
}
