using System.Text.Json.Serialization;

namespace FastGate.Host.Admin;

/// <summary>Source-generated JSON for every admin response, so serialization needs no reflection in the Native AOT binary.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(ReadinessReport))]
[JsonSerializable(typeof(AdminError))]
[JsonSerializable(typeof(StatsReport))]
[JsonSerializable(typeof(DestinationReport[]))]
[JsonSerializable(typeof(ReloadReport))]
[JsonSerializable(typeof(ConfigReport))]
[JsonSerializable(typeof(DrainReport))]
[JsonSerializable(typeof(PurgeBody))]
[JsonSerializable(typeof(PurgeReport))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
