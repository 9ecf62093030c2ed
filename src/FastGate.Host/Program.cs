using FastGate.Host;

// Socket completions run the proxy loop directly on the event-loop thread instead of being queued to the thread
// pool; the loop never blocks. Measured on one pinned core: 18-20 µs of CPU per proxied request instead of ~38.
// The runtime reads this once, when its socket engine starts, so it must be set before the first socket exists.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");

return await Cli.RunAsync(args);
