namespace FastGate.Transport;

/// <summary>A connection registered with an event loop, known to it by a token (see <see cref="ConnectionSlots{T}"/>).</summary>
internal interface ILoopRegistrant
{
    ulong Token { get; set; }
}
