namespace FastGate.SampleUpstream;

public enum StreamOutcome
{
    NeedMoreData,
    Close,
}
