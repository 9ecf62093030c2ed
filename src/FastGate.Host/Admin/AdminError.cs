namespace FastGate.Host.Admin;

internal sealed record AdminError(string Error);
