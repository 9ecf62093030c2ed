namespace FastGate.Host;

/// <summary>
/// Calls back when the config file has changed and then stayed quiet for <see cref="Debounce"/>. Watches the
/// file's directory rather than the file, so an editor that writes a new file and renames it over the config
/// (vim, most deploy tools) is seen as well as one that writes in place.
/// </summary>
internal sealed class ConfigFileWatcher : IDisposable
{
    public static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(300);

    private readonly string _directory;
    private readonly string _fileName;
    private readonly Timer _quiet;
    private FileSystemWatcher? _watcher;

    public ConfigFileWatcher(string configPath, Action changed)
    {
        var full = Path.GetFullPath(configPath);
        _directory = Path.GetDirectoryName(full)!;
        _fileName = Path.GetFileName(full);
        _quiet = new Timer(_ => changed(), null, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>Whether changes are reported; the directory watch is created on first use.</summary>
    public bool Enabled
    {
        get => _watcher?.EnableRaisingEvents ?? false;
        set
        {
            if (value == Enabled) return;
            if (value && _watcher is null) _watcher = Create();
            _watcher!.EnableRaisingEvents = value;
        }
    }

    private FileSystemWatcher Create()
    {
        var watcher = new FileSystemWatcher(_directory)
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        watcher.Changed += OnEvent;
        watcher.Created += OnEvent;
        watcher.Renamed += OnEvent;
        // Events were lost (the kernel queue overflowed): the file may have changed.
        watcher.Error += (_, _) => Restart();
        return watcher;
    }

    private void OnEvent(object sender, FileSystemEventArgs e)
    {
        if (string.Equals(e.Name, _fileName, StringComparison.Ordinal)) Restart();
    }

    private void Restart() => _quiet.Change(Debounce, Timeout.InfiniteTimeSpan);

    public void Dispose()
    {
        _watcher?.Dispose();
        _quiet.Dispose();
    }
}
