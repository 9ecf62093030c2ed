namespace FastGate.Tests;

internal static class TestPaths
{
    /// <summary>The repository root: the folder above the test binaries that holds FastGate.sln.</summary>
    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FastGate.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException("FastGate.sln not found above the test binaries");
    }

    /// <summary>
    /// How to start the gateway: the binary named by FASTGATE_BINARY (./test.sh points it at the native build
    /// from publish.sh), else fastgate.dll of the same configuration as these tests under this test host's dotnet.
    /// </summary>
    public static (string FileName, string[] Arguments) GatewayCommand()
    {
        var binary = Environment.GetEnvironmentVariable("FASTGATE_BINARY");
        if (string.IsNullOrEmpty(binary)) return (Environment.ProcessPath!, [HostDll()]);
        return File.Exists(binary) ? (Path.GetFullPath(binary), []) : throw new FileNotFoundException("FASTGATE_BINARY", binary);
    }

    /// <summary>fastgate.dll built in the same configuration as these tests (the test project builds it first).</summary>
    public static string HostDll()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0
        var path = Path.Combine(RepoRoot(), "src", "FastGate.Host", "bin", configuration, "net10.0", "fastgate.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("build src/FastGate.Host first", path);
    }
}
