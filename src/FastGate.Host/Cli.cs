using System.Reflection;
using FastGate.Configuration;

namespace FastGate.Host;

/// <summary>
/// The command line: <c>fastgate [--config FILE]</c>, <c>fastgate validate [FILE]</c>, <c>fastgate purge ...</c>
/// (<see cref="PurgeCommand"/>), <c>--version</c>, <c>--help</c>.
/// Three options do not justify a parsing library.
/// </summary>
internal static class Cli
{
    private const string DefaultConfig = "config.toml";

    private const string Usage = """
        FastGate: a strict, streaming HTTP/1.1 reverse proxy.

        Usage:
          fastgate [--config FILE]       run the gateway (default config: ./config.toml);
                                         SIGHUP reloads the config, SIGTERM drains and stops
          fastgate validate [FILE]       check a config and print the compiled route table
          fastgate purge --admin URL [--token T] --url U | --prefix P | --glob G | --tag T
                                         purge the response cache of a running gateway (and, through
                                         Redis, of every instance sharing it); the token may also come
                                         from FASTGATE_ADMIN_TOKEN
          fastgate --version             print the version
          fastgate --help                print this help

        Environment variables FASTGATE_<SECTION>__<KEY> override config keys,
        e.g. FASTGATE_LIMITS__HEADER_TIMEOUT=5s or FASTGATE_SERVER__LISTEN=0.0.0.0:8080.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var config = DefaultConfig;
        var validate = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "-h" or "--help":
                    Console.WriteLine(Usage);
                    return 0;
                case "-v" or "--version":
                    Console.WriteLine($"fastgate {Version}");
                    return 0;
                case "purge" when i == 0:
                    return await PurgeCommand.RunAsync(args[1..]).ConfigureAwait(false);
                case "validate" when i == 0:
                    validate = true;
                    break;
                case "-c" or "--config" when i + 1 < args.Length:
                    config = args[++i];
                    break;
                default:
                    if (validate && !args[i].StartsWith('-'))
                    {
                        config = args[i];
                        break;
                    }
                    Console.Error.WriteLine($"fastgate: unknown argument '{args[i]}'\n\n{Usage}");
                    return 2;
            }
        }

        var result = ConfigLoader.LoadFile(config, ConfigLoader.ReadProcessEnvironment());
        if (result.Snapshot is null || result.Errors.Count > 0)
        {
            foreach (var error in result.Errors) Console.Error.WriteLine(error);
            Console.Error.WriteLine($"fastgate: {result.Errors.Count} error(s) in {config}");
            return 1;
        }
        if (validate)
        {
            Console.WriteLine(SnapshotSummary.Describe(result.Snapshot));
            Console.WriteLine($"{config}: OK");
            return 0;
        }
        return await GatewayHost.RunAsync(result.Snapshot, config).ConfigureAwait(false);
    }

    public static string Version =>
        typeof(Cli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
