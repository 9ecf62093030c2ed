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

    /// <summary>fastgate.dll built in the same configuration as these tests (the test project builds it first).</summary>
    public static string HostDll()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0
        var path = Path.Combine(RepoRoot(), "src", "FastGate.Host", "bin", configuration, "net10.0", "fastgate.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("build src/FastGate.Host first", path);
    }
}
