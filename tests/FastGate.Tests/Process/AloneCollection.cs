namespace FastGate.Tests.Process;

/// <summary>Tests that load the machine (thousands of sockets) or measure it run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneCollection
{
    public const string Name = "alone";
}
