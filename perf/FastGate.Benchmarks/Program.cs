using BenchmarkDotNet.Running;

// Pass BenchmarkDotNet's own arguments, e.g. --filter '*' --job short --memory (see ../README.md).
BenchmarkSwitcher.FromAssembly(typeof(FastGate.Benchmarks.Samples).Assembly).Run(args);
