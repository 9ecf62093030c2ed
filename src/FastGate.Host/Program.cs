using FastGate.Host;

return await Cli.RunAsync(args);
