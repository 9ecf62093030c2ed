using System.Runtime.CompilerServices;

namespace FastGate.Transport;

/// <summary>Room for the features Kestrel sets on every connection, inside the connection object itself.</summary>
[InlineArray(Length)]
internal struct FeatureSlots
{
    public const int Length = 4;

    private (Type Key, object Value) _first;
}
