using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

// Takes BenchmarkDotNet's own arguments, e.g. --filter '*' --job short --memory (see ../README.md).
// Exit code: 0 ok; 1 a benchmark failed or did not validate; 3 a hot-path benchmark allocated.
var summaries = BenchmarkSwitcher.FromAssembly(typeof(FastGate.Benchmarks.Samples).Assembly).Run(args);

var exitCode = 0;
foreach (var summary in summaries)
{
    if (summary.HasCriticalValidationErrors) exitCode = 1;
    foreach (var report in summary.Reports)
    {
        if (!report.Success)
        {
            Console.Error.WriteLine($"FAILED: {report.BenchmarkCase.DisplayInfo}");
            exitCode = 1;
            continue;
        }
        var allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase);
        var descriptor = report.BenchmarkCase.Descriptor;
        if (allocated > 0 && (descriptor.HasCategory(FastGate.Benchmarks.Categories.Reference) || descriptor.HasCategory(FastGate.Benchmarks.Categories.KnownAllocation)))
            Console.Error.WriteLine($"allocates, not checked ({string.Join(", ", descriptor.Categories)}): {report.BenchmarkCase.DisplayInfo}: {allocated} B/op");
        else if (allocated > 0)
        {
            // Everything benchmarked here is hot-path code, which must not allocate in steady state.
            Console.Error.WriteLine($"ALLOCATES: {report.BenchmarkCase.DisplayInfo}: {allocated} B/op");
            if (exitCode == 0) exitCode = 3;
        }
    }
}
return exitCode;
