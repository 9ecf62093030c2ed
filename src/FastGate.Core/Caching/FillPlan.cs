namespace FastGate.Caching;

/// <summary>The entry a fill will become once its body is complete (all but the body and the timestamps).</summary>
internal struct FillPlan
{
    public ulong Hash;
    public byte[] Key;
    public byte[] Head;
    public int Status;
    public long LifetimeSeconds;
    public long InitialAge;
    public bool AllowsAuthorized;
    public string[] Tags;
    /// <summary>Set for a response with Vary: a marker naming these goes under the primary key.</summary>
    public byte[][]? VaryNames;
    public byte[] PrimaryKey;
    public ulong PrimaryHash;
}
