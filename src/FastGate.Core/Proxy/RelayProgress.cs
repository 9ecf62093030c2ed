namespace FastGate.Proxy;

/// <summary>Bytes a body relay has moved so far; one per direction of an exchange.</summary>
internal sealed class RelayProgress
{
    public long Bytes;
}
