namespace FastGate.Http;

public enum ParseStatus : byte
{
    /// <summary>More bytes are needed.</summary>
    Incomplete,
    Complete,
    /// <summary>The input is invalid; the error status says how to answer.</summary>
    Error,
}
